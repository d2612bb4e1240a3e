"""One API for long work: progress, cooperative cancel, and a result or an error.

A job is a function `fn(ctx)` that calls `ctx.check()` between safe steps and `ctx.report(...)` as
it goes. The CLI runs it in the foreground with a progress bar on stderr; the app runs the same
function on a worker thread and gets progress and the result back on the main thread
(ui/jobs.py). Progress is rate-limited here, so no face is flooded.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

from sideload.errors import Cancelled


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()


@dataclass(frozen=True)
class Progress:
    fraction: float  # 0..1 of the whole job
    stage: str
    item: str
    done: int
    total: int
    elapsed_s: float
    eta_s: float | None
    message: str = ""


class JobContext:
    def __init__(self, on_progress: Callable[[Progress], None] | None = None,
                 cancel: CancelToken | None = None, *, clock: Callable[[], float] = time.monotonic,
                 min_interval_s: float = 0.1):
        self.cancel_token = cancel or CancelToken()
        self._on_progress = on_progress
        self._clock = clock
        self._started = clock()
        self._last_sent = -1e9
        self._min_interval = min_interval_s
        self.last: Progress | None = None

    def check(self) -> None:
        self.cancel_token.check()

    @property
    def cancelled(self) -> bool:
        return self.cancel_token.cancelled

    def report(self, fraction: float, stage: str, item: str = "", *, done: int = 0, total: int = 0,
               message: str = "", force: bool = False) -> None:
        now = self._clock()
        fraction = min(max(fraction, 0.0), 1.0)
        elapsed = now - self._started
        eta = elapsed * (1 - fraction) / fraction if fraction > 0.02 and elapsed > 1 else None
        self.last = Progress(fraction, stage, item, done, total, elapsed, eta, message)
        if self._on_progress and (force or now - self._last_sent >= self._min_interval):
            self._last_sent = now
            self._on_progress(self.last)
