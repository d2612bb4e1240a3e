"""An import session: find files, skip what is known, run the pipeline, store, index.

Idempotent by content hash: the same bytes are never imported twice, and a moved or renamed file
is recognised by its hash and its path updated. Each file is stored in one SQLite transaction
together with its resume state (its `files` row), so a kill at any point loses at most the file
in flight, which the next run imports again from the start.
"""
from __future__ import annotations

import fnmatch
import hashlib
import logging
import os
import shutil
import stat
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from lifelog_import.api import ImportFailure, Importer, load_importers

from sideload.errors import Cancelled, SideloadError, from_environment, input_reason
from sideload.ingest import pipeline
from sideload.jobs import JobContext
from sideload.store import index as store_index
from sideload.store.index import VectorIndex
from sideload.store import queries
from sideload.store import writes as store_writes
from sideload.store.vault import Vault

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


@dataclass
class ImportPlan:
    """What `import --dry-run` found: what would be imported, and why the rest would not."""
    would_import: list[dict] = field(default_factory=list)
    would_skip: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"dry_run": True, "would_import": self.would_import, "would_skip": self.would_skip,
                "failed": self.failed}


def special_file_reason(st: os.stat_result) -> str | None:
    """Why a path that is not a regular file cannot be imported (None for a regular file)."""
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return None
    for test, what in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return f"not a regular file ({what}); only files are imported"
    return "not a regular file; only files are imported"


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
    """The first importer (highest priority) that claims the file, from its name and first bytes.
    Only a regular file is opened: a named pipe or a device would block the read forever."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
    except OSError:
        return None
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
    def __init__(self, vault: Vault, hub, ctx: JobContext | None, *, index: VectorIndex | None = None,
                 importers: list[Importer] | None = None, read_only: bool = False, engine=None):
        if not read_only:
            vault.require_writable()
        self.vault = vault
        self.hub = hub
        self.ctx = ctx or JobContext()
        self.importers = importers if importers is not None else load_importers()
        self._index = index
        self.result = ImportResult()
        self._recording = not read_only  # a dry run records no failures
        # where the per-file stages run: None runs them here, one file after another; another engine
        # (sideload.cluster) runs them elsewhere and hands each finished file back to `finish`
        self.engine = engine

    @property
    def index(self) -> VectorIndex:
        """The vector index, checked against the catalogue on first use and rebuilt if it must be."""
        if self._index is None:
            self._index, self.index_health, self.index_rebuilt = store_index.ensure(
                self.vault.db, self.vault.paths.index_dir, self.ctx)
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
            if not p.is_dir():
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
        return [f for f in found if not any(fnmatch.fnmatch(str(f), pat) for pat in excludes)]

    def importer_for(self, path: Path) -> Importer | None:
        return importer_for(self.importers, path)

    # -- the run -----------------------------------------------------------------------------
    def run(self, inputs: list[Path]) -> ImportResult:
        ctx = self.ctx
        ctx.report(0.0, "finding files", force=True)
        self._check_embedding_model()
        exclude = self._exclude_ranges  # a malformed range stops the import before any file, naming the setting
        shutil.rmtree(self.vault.paths.tmp_dir, ignore_errors=True)  # scratch left by a killed import
        self.index  # a lost or damaged index is rebuilt before anything new goes in
        files = self.discover(inputs)
        if self.engine is not None:
            self.engine.import_files(self, files, exclude)
        else:
            self._import_files(files, exclude)
        share = pipeline.FILES_SHARE
        done = share
        for name, step, part in pipeline.AFTER:
            ctx.report(done, name, force=True)
            step(self, ctx)
            done += (1 - share) * part
        ctx.report(1.0, "done", done=len(files), total=len(files), force=True)
        return self.result

    def _import_files(self, files: list[Path], exclude: list[tuple[float, float]]) -> None:
        ctx, share, total = self.ctx, pipeline.FILES_SHARE, max(len(files), 1)
        for i, path in enumerate(files):
            ctx.check()
            base = share * i / total

            def on_stage(stage: str, part: float, _base=base, _path=path, _i=i) -> None:
                ctx.report(_base + share * part / total, stage, _path.name, done=_i, total=len(files))

            with self.file_errors(path):
                prepared = self.prepare(path, on_stage, exclude)
                if prepared is not None:
                    pipeline.run(prepared[0], ctx, on_stage)
                    self.finish(*prepared)

    @contextmanager
    def file_errors(self, path: Path):
        """One bad file never stops the rest: its failure is named and recorded. Cancel, and faults of
        the vault or the machine (disk full, busy, corrupt), stop the import."""
        try:
            yield
        except Cancelled:
            raise
        except ImportFailure as exc:
            self._fail(path, str(exc))
        except SideloadError as exc:
            if exc.kind in ("disk-full", "busy", "corrupt"):
                raise
            self._fail(path, exc.message)
        except Exception as exc:
            env = from_environment(exc)
            if env is not None and env.kind == "disk-full":
                raise env from exc
            log.exception("importing %s failed", path)
            self._fail(path, input_reason(exc))

    def plan(self, inputs: list[Path]) -> ImportPlan:
        """What `run` would do with these inputs, changing nothing (`import --dry-run`)."""
        plan = ImportPlan()
        self.result = ImportResult()
        for path in self.discover(inputs):
            verdict = self._classify(path)
            if verdict[0] == "import":
                plan.would_import.append({"path": str(path), "importer": verdict[1].name})
            elif verdict[0] == "skip":
                plan.would_skip.append({"path": str(path), "reason": verdict[1]})
            else:
                plan.failed.append({"path": str(path), "reason": verdict[1]})
        plan.failed = self.result.failed + plan.failed
        return plan

    def _classify(self, path: Path, *, content_hash: str | None = None):
        """("import", importer, stat) | ("skip", reason) | ("fail", reason) for one found path."""
        try:
            st = path.stat()
        except OSError as exc:
            return ("fail", f"cannot be read ({exc.strerror.lower() if exc.strerror else exc})")
        special = special_file_reason(st)
        if special:
            return ("fail", special)
        if queries.file_known_at(self.vault.db, str(path), st.st_size, st.st_mtime):
            return ("skip", "already in the vault")
        importer = self.importer_for(path)
        if importer is None:
            return ("fail", f"unsupported file type ({path.suffix or 'no extension'})")
        if st.st_size == 0:
            return ("fail", "the file is empty")
        return ("import", importer, st)

    def _check_embedding_model(self) -> None:
        stored = queries.embedding_model(self.vault.db)
        if stored and stored != self.hub.embedder.name:
            raise SideloadError(
                f"the vault's vectors were made with {stored} but the embedding_model setting now gives "
                f"{self.hub.embedder.name}; new vectors would not be comparable with the old ones",
                kind="setting", hint="set embedding_model back; re-embedding the vault comes with consolidation")

    def prepare(self, path: Path, on_stage, exclude: list[tuple[float, float]]):
        """(task, stat) for a file the pipeline should run on, or None when it is skipped (known by its
        content, moved, or forgotten). Raises ImportFailure for a file that cannot be imported."""
        verdict = self._classify(path)
        if verdict[0] == "skip":
            self.result.skipped += 1
            return None
        if verdict[0] == "fail":
            raise ImportFailure(verdict[1])
        _, importer, st = verdict
        on_stage("hashing", 0.0)
        content_hash = self._hash(path)
        db = self.vault.db
        if queries.is_forgotten(db, content_hash):
            self.result.skipped += 1  # the owner asked to forget it: it stays forgotten
            return None
        row = queries.file_by_hash(db, content_hash)
        if row:
            if row["path"] != str(path) and not Path(row["path"]).exists():
                with self.vault.transaction() as tx:  # moved or renamed: same bytes, new place
                    store_writes.move_file(tx, row["file_id"], str(path), st.st_size, st.st_mtime)
            self.result.skipped += 1
            return None
        task = pipeline.Task(path, content_hash, importer, self.vault.settings, self.hub, self.vault.paths,
                             exclude=exclude, chapter_end=lambda rec, ch: queries.chapter_end(db, rec, ch))
        return task, st

    def finish(self, task: pipeline.Task, st: os.stat_result) -> None:
        """A file the pipeline has run on: stored with its moments in one transaction, and counted."""
        path = task.path
        if task.excluded:
            self.result.excluded.append(str(path))  # the owner's choice, not a failure
            self.result.skipped += 1
            return
        self._store(task, st)
        for line, reason in task.source.dropped:  # the file is in; these lines of it are not
            self.result.failed.append({"path": str(path), "line": line, "reason": reason})
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

    @property
    def _exclude_ranges(self) -> list[tuple[float, float]]:
        if not hasattr(self, "_ranges"):
            self._ranges = parse_ranges(self.vault.settings["import_exclude_ranges"])
        return self._ranges

    def _store(self, task: pipeline.Task, st: os.stat_result) -> None:
        stored_path = task.path
        if self.vault.settings["copy_originals"]:
            stored_path = self.vault.paths.original_copy(task.content_hash, task.path.suffix)
            if not stored_path.exists():
                stored_path.parent.mkdir(parents=True, exist_ok=True)
                tmp = stored_path.with_suffix(stored_path.suffix + ".part")
                shutil.copyfile(task.path, tmp)
                os.replace(tmp, stored_path)
        embed_model = self.hub.embedder.name if task.moments else ""
        with self.vault.transaction() as tx:
            store_writes.store_file(tx, task, stored_path, st, embed_model)

    def _fail(self, path: Path, reason: str) -> None:
        self.result.failed.append({"path": str(path), "reason": reason})
        if not self._recording:
            return
        try:
            with self.vault.transaction() as tx:
                store_writes.record_failure(tx, str(path), reason)
        except Exception:  # recording the failure must not hide it
            log.exception("could not record the failure of %s", path)
