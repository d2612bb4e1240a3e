"""What runs on a Ray worker: the declared per-file stages, with one model hub per worker.

A `PipelineWorker` is a long-lived process (a Ray actor) that loads each model once and then runs
`sideload.ingest.pipeline.run` on one file after another, exactly as a local import does. It never
touches the vault: keyframes and thumbnails go to the worker's own scratch folder and travel back
as bytes with the finished task, and the driver writes them and stores the file. What it needs of
the vault comes in the `FileSpec` (settings, excluded time, where an earlier GoPro chapter ended).

Ray is not imported here: the engine wraps this class as an actor, and the tests can run it in
process.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lifelog_import.api import ImportFailure, load_importers
from sideload.errors import SideloadError, input_reason
from sideload.ingest import pipeline
from sideload.jobs import JobContext
from sideload.paths import VaultPaths

log = logging.getLogger(__name__)


@dataclass
class FileSpec:
    """One file to run the pipeline on, with what the worker must know of the vault."""
    path: str
    content_hash: str
    importer: str  # the importer's name: the worker has the same plugins installed
    settings: dict[str, Any]
    exclude: list[tuple[float, float]]
    embed_model: str  # the driver's embedding model: vectors from another would not compare
    # (recording, chapter) -> where that chapter ended, as the vault knew when it was asked
    chapter_ends: dict[tuple[str, int], Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """A finished file (task, and its derived files by path under the vault root), or why not."""
    task: pipeline.Task | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    error: tuple[str, str, str | None] | None = None  # (kind, message, hint); kind "import" is ImportFailure
    need_chapter: tuple[str, int] | None = None  # ask again once the earlier files are stored
    seconds: float = 0.0
    pid: int = 0

    def raise_error(self) -> None:
        """The worker's failure, raised on the driver as the exception a local import would raise."""
        if self.error is None:
            return
        kind, message, hint = self.error
        if kind == "import":
            raise ImportFailure(message)
        if kind == "internal":  # a bug or an odd file: named as a local import names it, traced in the log
            log.error("a Ray worker failed on a file: %s\n%s", message, hint)
            raise ImportFailure(message)
        raise SideloadError(message, kind=kind, hint=hint)


class NeedChapter(Exception):
    """The clock stage asked where an earlier chapter ended, which the driver had not resolved."""

    def __init__(self, recording: str, chapter: int):
        super().__init__(recording, chapter)
        self.key = (recording, chapter)


class PipelineWorker:
    def __init__(self, threads: int):
        self.threads = int(threads)
        self.hub = None
        self.scratch = Path(tempfile.mkdtemp(prefix="sideload-worker-"))
        self.importers = {imp.name: imp for imp in load_importers()}

    def _settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        return {**settings, "threads": self.threads}  # the cores Ray gave this worker, not the driver's

    def _hub(self, settings: dict[str, Any]):
        from models.hub import ModelHub

        if self.hub is None:
            self.hub = ModelHub(settings)
        else:
            self.hub.configure(settings)
        return self.hub

    def warm(self, settings: dict[str, Any]) -> dict:
        """Load every import model now, once for this worker's life; say where and how long it took."""
        t0 = time.perf_counter()
        hub = self._hub(self._settings(settings))
        _ = hub.whisper, hub.voice, hub.embedder, hub.frames
        return {"pid": os.getpid(), "device": hub.device, "load_s": time.perf_counter() - t0}

    def process(self, spec: FileSpec) -> Outcome:
        t0 = time.perf_counter()
        settings = self._settings(spec.settings)
        out = Outcome(pid=os.getpid())
        task = None
        try:
            hub = self._hub(settings)
            if spec.embed_model and hub.embedder.name != spec.embed_model:
                raise SideloadError(f"this worker's embedding model is {hub.embedder.name}, the vault's is "
                                    f"{spec.embed_model}", kind="setting",
                                    hint="every node needs the same embedding_model")
            if spec.importer not in self.importers:
                raise ImportFailure(f"the importer {spec.importer!r} is not installed on the Ray worker "
                                    f"on {os.uname().nodename}")
            task = pipeline.Task(Path(spec.path), spec.content_hash, self.importers[spec.importer], settings,
                                 hub, VaultPaths(self.scratch), exclude=list(spec.exclude),
                                 chapter_end=_chapter_lookup(spec.chapter_ends))
            if not Path(spec.path).is_file():
                raise ImportFailure(f"the worker on {os.uname().nodename} cannot see this file "
                                    "(cluster nodes must share the storage that holds the originals)")
            pipeline.run(task, JobContext())
            out.task = slim(task)
        except NeedChapter as ask:
            out.need_chapter = ask.key
        except ImportFailure as exc:
            out.error = ("import", str(exc), None)
        except SideloadError as exc:
            out.error = (exc.kind, exc.message, exc.hint)
        except Exception as exc:  # a bug or an odd file: named like a local import names it
            out.error = ("internal", input_reason(exc), traceback.format_exc())  # the driver logs it
        finally:
            out.files = self._collect(spec.content_hash, keep=out.task is not None)
        out.seconds = time.perf_counter() - t0
        return out

    def _collect(self, content_hash: str, *, keep: bool) -> dict[str, bytes]:
        """Keyframes and thumbnails this file left in scratch, as bytes by path under the vault root."""
        paths = VaultPaths(self.scratch)
        files: dict[str, bytes] = {}
        for folder in (paths.keyframes_dir / paths.derived_folder(content_hash),
                       paths.thumbnails_dir / paths.derived_folder(content_hash)):
            if keep and folder.is_dir():
                for f in sorted(folder.rglob("*")):
                    if f.is_file():
                        files[str(f.relative_to(self.scratch))] = f.read_bytes()
            shutil.rmtree(folder, ignore_errors=True)
        return files

    def close(self) -> None:
        if self.hub is not None:
            self.hub.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


def _chapter_lookup(known: dict[tuple[str, int], Any]):
    def chapter_end(recording: str, chapter: int):
        if (recording, chapter) not in known:
            raise NeedChapter(recording, chapter)
        return known[(recording, chapter)]

    return chapter_end


def slim(task: pipeline.Task) -> pipeline.Task:
    """The finished task with only what storing it needs: no engines, frames, audio or callables."""
    task.hub = task.settings = task.vault_paths = task.chapter_end = task.importer = None
    task.audio = None
    task.keyframes, task.frame_facts, task.segments, task.voiceprints, task.regions = [], [], [], [], []
    return task


def restore(task: pipeline.Task, session, importer) -> pipeline.Task:
    """A task back on the driver: the driver's own settings, hub, paths and importer."""
    task.importer = importer
    task.settings = session.vault.settings
    task.hub = session.hub
    task.vault_paths = session.vault.paths
    return task
