"""The job API (sideload.jobs) in Qt: work runs off the main thread, results come back on it.

`start(fn)` runs `fn(ctx)` on a worker thread; its `Job` emits progress, a result or an error as Qt
signals, delivered on the main thread (queued), so no handler ever blocks the window. `EngineHost`
is the single owner of the read-side engines (the vault's SQLite connection, chromadb, the searcher,
the persona): every search and chat runs on its one thread, in order. Streaming text is batched
(at most one update every 50 ms), so a fast model cannot flood the event loop.
"""
from __future__ import annotations

import ctypes
import logging
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal

from sideload.errors import Cancelled, SideloadError, from_environment
from sideload.jobs import CancelToken, JobContext

log = logging.getLogger(__name__)
BATCH_S = 0.05


def _emit_leaks_a_bool() -> bool:
    """PySide6 6.12.0 on Python 3.11 drops one reference to True on every Python-side `emit()` (the
    bool it returns is not incref'd); after a few thousand emits the interpreter frees True and aborts.
    Measured once here, so the compensation below applies only where the leak is real."""
    import sys

    class _Probe(QObject):
        sig = Signal(int)

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.sig.emit(0)
    return sys.getrefcount(True) - before <= -8


_LEAKS = _emit_leaks_a_bool()


def emit(signal, *args) -> None:
    """Every Python-side emit in the app goes through here."""
    signal.emit(*args)
    if _LEAKS:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))


def describe_error(exc: BaseException) -> str:
    """The one place an exception becomes words for the person."""
    if isinstance(exc, SideloadError):
        return str(exc)
    env = from_environment(exc)
    if env is not None:
        return str(env)
    log.error("unexpected error in a job\n%s", "".join(traceback.format_exception(exc)))
    return f"Something went wrong ({type(exc).__name__}: {exc}). The details are in the log."


class Job(QObject):
    progress = Signal(object)   # sideload.jobs.Progress
    text = Signal(str)          # batched streamed text (chat)
    finished = Signal(object)   # the result
    failed = Signal(str)        # a message for the person
    cancelled = Signal()

    def __init__(self, name: str):
        super().__init__()
        self.name = name
        self.token = CancelToken()
        self.running = True
        self._buf: list[str] = []
        self._last_flush = 0.0
        self._buf_lock = threading.Lock()
        self._work: Any = None  # what runs, and what came of it: let go on the main thread (`_run`)
        self._outcome: Any = None

    def cancel(self) -> None:
        self.token.cancel()

    # called on the worker thread
    def stream(self, piece: str) -> None:
        with self._buf_lock:
            self._buf.append(piece)
            now = time.monotonic()
            if now - self._last_flush < BATCH_S:
                return
            self._last_flush = now
            text, self._buf = "".join(self._buf), []
        emit(self.text, text)

    def _flush(self) -> None:
        with self._buf_lock:
            text, self._buf = "".join(self._buf), []
        if text:
            emit(self.text, text)

    def _run(self, fn: Callable[[JobContext], Any], *args) -> None:
        # The job holds the work and its outcome until the main thread lets go of it (`_keep`): a
        # closure over a widget, or a result, whose last reference went with this thread had shiboken
        # delete its wrapper on the main thread at the next chance, once in the middle of painting a
        # list (a segfault in runDeletionInMainThread under QListView::paintEvent)
        self._work = fn
        ctx = JobContext(lambda p: emit(self.progress, p), self.token)
        try:
            outcome = (self.finished, fn(*args, ctx))
        except (Cancelled, KeyboardInterrupt):
            outcome = (self.cancelled,)
        except BaseException as exc:  # noqa: BLE001 - every failure becomes a message
            outcome = (self.failed, describe_error(exc))
        self._flush()
        self.running = False
        self._outcome = outcome
        emit(*outcome)


_live: set[Job] = set()  # jobs are kept alive until they end, whoever holds them


def _keep(job: Job) -> Job:
    """Hold the job until its outcome has reached every slot. Letting go in the first slot freed the
    job while the other slots' queued calls were still pending, and Qt dropped them: a search that
    finished was never shown (seen as a rare hang of the search view)."""
    _live.add(job)

    def let_go() -> None:  # on the main thread, long after the worker is done with the job
        job._work = job._outcome = None
        _live.discard(job)

    def release(*_):
        QTimer.singleShot(1000, let_go)

    for sig in (job.finished, job.failed, job.cancelled):
        sig.connect(release)
    return job


def _later(go: Callable[[], Any]) -> None:
    """Start work on the next turn of the event loop, never at once: the caller connects to the job's
    signals right after it is returned, and a quick job (a search takes 20 ms) that finished before
    that had its result emitted to nobody (seen as a search view stuck on "searching…")."""
    QTimer.singleShot(0, go)


def start(name: str, fn: Callable[[JobContext], Any]) -> Job:
    """Run `fn(ctx)` on its own thread (import, consolidation: long, and each opens its own vault)."""
    job = _keep(Job(name))
    _later(lambda: threading.Thread(target=job._run, args=(fn,), name=f"job-{name}", daemon=True).start())
    return job


class Engines:
    """What the engine thread owns: opened there, used only there."""

    def __init__(self, context):
        self.vault = context.open()
        self.persona = context.persona(self.vault)  # the same assembly as `sideload ask`
        self.searcher = self.persona.searcher

    def close(self) -> None:
        self.vault.close()


class EngineHost:
    """One thread, one set of engines; jobs queue on it in order."""

    def __init__(self, context):
        self.context = context  # sideload.context.AppContext: it assembles the engines
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engines")
        self._engines: Engines | None = None
        self._closed = False

    def _engines_here(self) -> Engines:
        if self._engines is None:
            self._engines = Engines(self.context)
        return self._engines

    def warm(self, *, import_models: bool = True) -> None:
        """Open the engines now, in their thread, so the first search or question does not wait for
        the embedding model to load; with `import_models`, the models an import needs too (the
        process has one hub, so the import uses these). Loading them holds Python's lock in bursts of
        up to ~150 ms; at start-up that costs nothing, while someone types it would stall the window."""
        def open_them(ctx=None):
            try:
                engines = self._engines_here()
                if import_models:
                    hub = self.context.hub(engines.vault.settings)
                    hub.whisper, hub.voice, hub.frames
            except Exception:  # a failure is reported when the engines are used, in words
                log.debug("warming the engines failed", exc_info=True)
        self._warming = self._pool.submit(open_them)

    @property
    def ready(self) -> bool:
        warming = getattr(self, "_warming", None)
        return warming is not None and warming.done()

    def submit(self, name: str, fn: Callable[[Engines, Job, JobContext], Any]) -> Job:
        job = _keep(Job(name))
        _later(lambda: self._closed or self._pool.submit(job._run, lambda ctx: fn(self._engines_here(), job, ctx)))
        return job

    def reset(self) -> None:
        """Reopen the engines on next use (after an import, a promotion or a settings change)."""
        if self._closed:
            return

        def drop(ctx=None):
            if self._engines is not None:
                self._engines.close()
                self._engines = None
        self._pool.submit(drop)

    def shutdown(self) -> None:
        if self._closed:
            return
        self.reset()
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
