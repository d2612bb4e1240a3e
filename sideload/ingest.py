"""An import session: find files, skip what is known, run the pipeline, store, index.

Idempotent by content hash: the same bytes are never imported twice, and a moved or renamed file
is recognised by its hash and its path updated. Each file is stored in one SQLite transaction
together with its resume state (its `files` row), so a kill at any point loses at most the file
in flight, which the next run imports again from the start.
"""
from __future__ import annotations

import fnmatch
import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from lifelog_import.api import ImportFailure, Importer, load_importers

from . import pipeline, profile, speakers
from .errors import Cancelled, SideloadError, from_environment, input_reason
from .index import VectorIndex, index_pending
from .jobs import JobContext
from .vault import Vault

log = logging.getLogger(__name__)

# Files that cameras and systems leave beside the media; never worth a "failed" line.
COMPANION_SUFFIXES = {".thm", ".lrv", ".sav", ".xmp", ".aae", ".ds_store", ".ini", ".db", ".lock"}
HASH_CHUNK = 4 * 1024 * 1024


@dataclass
class ImportResult:
    imported: int = 0
    skipped: int = 0
    failed: list[dict] = field(default_factory=list)
    moments: int = 0
    excluded: list[str] = field(default_factory=list)  # wholly inside import_exclude_ranges
    media_seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"imported": self.imported, "skipped": self.skipped, "failed": self.failed,
                "moments": self.moments, "excluded": self.excluded}


def parse_ranges(values: list[str]) -> list[tuple[float, float]]:
    """import_exclude_ranges: START/END in ISO form (a bare date as END covers that whole day)."""
    from lifelog_import.timeinfo import wall_seconds

    out = []
    for v in values:
        try:
            a, b = (x.strip() for x in v.split("/", 1))
            start = datetime.fromisoformat(a)
            end = datetime.fromisoformat(b)
            if len(b) <= 10:
                end += timedelta(days=1)
        except ValueError:
            raise SideloadError(f"setting 'import_exclude_ranges': {v!r} is not START/END in ISO form",
                                kind="setting") from None
        out.append((wall_seconds(start), wall_seconds(end)))
    return out


def importer_for(importers: list[Importer], path: Path) -> Importer | None:
    """The first importer (highest priority) that claims the file, from its name and first bytes."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        head = b""
    for imp in importers:
        if imp.claims(path, head):
            return imp
    return None


class ImportSession:
    def __init__(self, vault: Vault, hub, ctx: JobContext, *, index: VectorIndex | None = None,
                 importers: list[Importer] | None = None):
        vault.require_writable()
        self.vault = vault
        self.hub = hub
        self.ctx = ctx
        self.importers = importers if importers is not None else load_importers()
        self._index = index
        self.result = ImportResult()

    @property
    def index(self) -> VectorIndex:
        if self._index is None:
            self._index = VectorIndex(self.vault.paths.index_dir)
        return self._index

    # -- discovery ---------------------------------------------------------------------------
    def discover(self, inputs: list[Path]) -> list[Path]:
        excludes = self.vault.settings["import_exclude"]
        vault_root = self.vault.paths.root
        found: list[Path] = []
        for raw in inputs:
            # normalised ("a/../b" -> "b") but not resolved: a path given through a link stays as given
            p = Path(os.path.abspath(Path(raw).expanduser()))
            if not p.exists():
                self._fail(p, "no such file or folder")
                continue
            if p.is_file():
                found.append(p)
                continue
            for dirpath, dirnames, filenames in os.walk(p):
                d = Path(dirpath)
                dirnames[:] = sorted(n for n in dirnames if not n.startswith(".")
                                     and (d / n).resolve() != vault_root)
                for name in sorted(filenames):
                    if name.startswith(".") or Path(name).suffix.lower() in COMPANION_SUFFIXES:
                        continue
                    found.append(d / name)
        out = []
        for f in found:
            if any(fnmatch.fnmatch(str(f), pat) for pat in excludes):
                continue
            out.append(f)
        return out

    def importer_for(self, path: Path) -> Importer | None:
        return importer_for(self.importers, path)

    # -- the run -----------------------------------------------------------------------------
    def run(self, inputs: list[Path]) -> ImportResult:
        ctx = self.ctx
        ctx.report(0.0, "finding files", force=True)
        self._check_embedding_model()
        self._exclude_ranges  # a malformed range stops the import before any file, naming the setting
        shutil.rmtree(self.vault.paths.tmp_dir, ignore_errors=True)  # scratch left by a killed import
        files = self.discover(inputs)
        total = max(len(files), 1)
        for i, path in enumerate(files):
            ctx.check()
            base = i / total

            def on_stage(stage: str, share: float, _base=base, _path=path) -> None:
                ctx.report(_base + share / total, stage, _path.name, done=i, total=len(files))

            try:
                self._import_one(path, on_stage)
            except Cancelled:
                raise
            except ImportFailure as exc:
                self._fail(path, str(exc))
            except SideloadError as exc:
                if exc.kind in ("disk-full", "busy", "corrupt"):
                    raise
                self._fail(path, exc.message)
            except Exception as exc:  # one bad file never stops the rest
                env = from_environment(exc)
                if env is not None and env.kind == "disk-full":
                    raise env from exc
                log.exception("importing %s failed", path)
                self._fail(path, input_reason(exc))
        ctx.report(0.98, "speakers", force=True)
        speakers.relabel(self.vault, self.hub)
        from .privacy import apply_rules

        if self.vault.db.execute("SELECT 1 FROM privacy_rules LIMIT 1").fetchone():
            apply_rules(self.vault)  # a person or place marked private stays private in new footage
        ctx.report(0.985, "profile", force=True)
        profile.distil(self.vault)  # reads only the new moments for mentions, then re-aggregates
        ctx.report(0.99, "index", force=True)
        from .vectors import VectorStore

        store = VectorStore(self.vault.paths.vectors_file)
        index_pending(self.vault.db, self.index, check=ctx.check, store=store)
        max_rid = self.vault.db.execute("SELECT max(rid) FROM embeddings").fetchone()[0] or 0
        if not store.covers(max_rid):  # an older vault, or a crash between the two writes
            store.rebuild(self.vault.db)
        ctx.report(1.0, "done", done=len(files), total=len(files), force=True)
        return self.result

    def _check_embedding_model(self) -> None:
        stored = self.vault.db.execute("SELECT model FROM embeddings LIMIT 1").fetchone()
        if stored and stored[0] != self.hub.embedder.name:
            raise SideloadError(
                f"the vault's vectors were made with {stored[0]} but the embedding_model setting now gives "
                f"{self.hub.embedder.name}; new vectors would not be comparable with the old ones",
                kind="setting", hint="set embedding_model back; re-embedding the vault comes with consolidation")

    def _import_one(self, path: Path, on_stage) -> None:
        db = self.vault.db
        try:
            st = path.stat()
        except OSError as exc:
            raise ImportFailure(f"cannot be read ({exc.strerror.lower() if exc.strerror else exc})") from None
        known = db.execute("SELECT file_id FROM files WHERE path = ? AND size = ? AND mtime = ?",
                           (str(path), st.st_size, st.st_mtime)).fetchone()
        if known:
            self.result.skipped += 1
            return
        importer = self.importer_for(path)
        if importer is None:
            raise ImportFailure(f"unsupported file type ({path.suffix or 'no extension'})")
        if st.st_size == 0:
            raise ImportFailure("the file is empty")
        on_stage("hashing", 0.0)
        content_hash = self._hash(path)
        if db.execute("SELECT 1 FROM forgotten_files WHERE content_hash = ?", (content_hash,)).fetchone():
            self.result.skipped += 1  # the owner asked to forget it: it stays forgotten
            return
        row = db.execute("SELECT file_id, path FROM files WHERE content_hash = ?", (content_hash,)).fetchone()
        if row:
            if row["path"] != str(path) and not Path(row["path"]).exists():
                with self.vault.transaction() as tx:  # moved or renamed: same bytes, new place
                    tx.execute("UPDATE files SET path = ?, size = ?, mtime = ? WHERE file_id = ?",
                               (str(path), st.st_size, st.st_mtime, row["file_id"]))
                    tx.execute("DELETE FROM failures WHERE path = ?", (str(path),))
            self.result.skipped += 1
            return
        task = pipeline.Task(path, content_hash, importer, self.vault.settings, self.hub, self.vault.paths)
        pipeline.run(task, self.ctx, on_stage)
        self._fix_chapter_time(task)
        if self._exclude_ranges and not self._drop_excluded(task):
            self.result.excluded.append(str(path))  # the owner's choice, not a failure
            self.result.skipped += 1
            return
        self._store(task, st)
        for name, secs in task.timings.items():
            self.result.timings[name] = self.result.timings.get(name, 0.0) + secs
        self.result.media_seconds += task.duration
        self.result.imported += 1
        self.result.moments += len(task.moments)

    def _hash(self, path: Path) -> str:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            while chunk := fh.read(HASH_CHUNK):
                h.update(chunk)
                self.ctx.check()
        return h.hexdigest()

    def _fix_chapter_time(self, task: pipeline.Task) -> None:
        """A GoPro chapter with no clock of its own starts where the previous chapter ended."""
        src = task.source
        if "recording" not in src.meta or not src.clock.uncertain or src.meta.get("chapter", 0) == 0:
            return
        prev = self.vault.db.execute(
            "SELECT started_at, duration_s FROM files WHERE json_extract(meta, '$.recording') = ? "
            "AND json_extract(meta, '$.chapter') = ?", (src.meta["recording"], src.meta["chapter"] - 1)).fetchone()
        if prev and prev["started_at"]:
            src.clock.start = datetime.fromisoformat(prev["started_at"]) + timedelta(seconds=prev["duration_s"] or 0)
            src.clock.source = "chapter"
            pipeline.build_moments(task, self.ctx)
            pipeline.embeddings(task, self.ctx)

    @property
    def _exclude_ranges(self) -> list[tuple[float, float]]:
        if not hasattr(self, "_ranges"):
            self._ranges = parse_ranges(self.vault.settings["import_exclude_ranges"])
        return self._ranges

    def _drop_excluded(self, task: pipeline.Task) -> int:
        """Moments inside an excluded time range are never stored; their derived files go too."""
        keep = []
        for m in task.moments:
            if m.t_start is not None and any(a <= m.t_start < b for a, b in self._exclude_ranges):
                if m.keyframe:
                    t_ms = int(round(m.start_s * 1000))
                    self.vault.paths.keyframe_file(task.content_hash, t_ms).unlink(missing_ok=True)
                    self.vault.paths.thumbnail_file(task.content_hash, t_ms).unlink(missing_ok=True)
            else:
                keep.append(m)
        had = len(task.moments)
        task.moments = keep
        return len(keep) if had else 1

    def _store(self, task: pipeline.Task, st: os.stat_result) -> None:
        src = task.source
        stored_path = task.path
        if self.vault.settings["copy_originals"]:
            stored_path = self.vault.paths.original_copy(task.content_hash, task.path.suffix)
            if not stored_path.exists():
                stored_path.parent.mkdir(parents=True, exist_ok=True)
                tmp = stored_path.with_suffix(stored_path.suffix + ".part")
                shutil.copyfile(task.path, tmp)
                os.replace(tmp, stored_path)
        clock = src.clock
        meta = dict(src.meta)
        if task.warnings:
            meta["warnings"] = task.warnings
        started_at = clock.start.isoformat() if clock.start else None
        from lifelog_import.timeinfo import wall_seconds

        embed_model = self.hub.embedder.name if task.moments else ""
        with self.vault.transaction() as tx:
            cur = tx.execute(
                "INSERT INTO files (content_hash, path, size, mtime, importer, media_kind, started_at, t_start,"
                " time_source, duration_s, meta, imported_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (task.content_hash, str(stored_path), st.st_size, st.st_mtime, task.importer.name,
                 src.media_kind, started_at, wall_seconds(clock.start) if clock.start else None,
                 clock.source, task.duration, json.dumps(meta), datetime.now().isoformat(timespec="seconds")))
            file_id = cur.lastrowid
            for m in task.moments:
                m.meta.setdefault("time_source", clock.source)
                cur = tx.execute(
                    "INSERT INTO moments (moment_id, file_id, kind, start_s, end_s, started_at, t_start, t_end, day,"
                    " speaker, speaker_name, text, caption, keyframe, meta) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (m.moment_id, file_id, m.kind, m.start_s, m.end_s, m.started_at, m.t_start, m.t_end, m.day,
                     m.speaker, m.speaker_name, m.text, m.caption, m.keyframe, json.dumps(m.meta)))
                rid = cur.lastrowid
                if m.voiceprint is not None:
                    tx.execute("INSERT INTO voiceprints (rid, vector) VALUES (?, ?)",
                               (rid, np.asarray(m.voiceprint, np.float32).tobytes()))
                if m.embedding is not None:
                    tx.execute("INSERT INTO embeddings (rid, model, vector) VALUES (?, ?, ?)",
                               (rid, embed_model, np.asarray(m.embedding, np.float32).tobytes()))
            tx.execute("DELETE FROM failures WHERE path = ?", (str(task.path),))

    def _fail(self, path: Path, reason: str) -> None:
        self.result.failed.append({"path": str(path), "reason": reason})
        try:
            with self.vault.transaction() as tx:
                tx.execute("INSERT OR REPLACE INTO failures (path, reason, at) VALUES (?, ?, ?)",
                           (str(path), reason, datetime.now().isoformat(timespec="seconds")))
        except Exception:  # recording the failure must not hide it
            log.exception("could not record the failure of %s", path)
