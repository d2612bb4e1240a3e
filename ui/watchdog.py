"""A main-thread watchdog: a timer that should fire every 20 ms; when it fires late, some handler on the
main thread held the event loop that long. The app logs stalls; the tests fail on them."""
from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)


class Watchdog(QObject):
    def __init__(self, interval_ms: int = 20, warn_ms: float = 100.0, parent=None):
        super().__init__(parent)
        self.interval = interval_ms / 1000
        self.warn = warn_ms / 1000
        self.worst = 0.0
        self.stalls: list[float] = []
        self._last = time.monotonic()
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> "Watchdog":
        self.reset()
        self._timer.start()
        return self

    def stop(self) -> None:
        self._timer.stop()

    def reset(self) -> None:
        self._last = time.monotonic()
        self.worst = 0.0
        self.stalls = []

    def _tick(self) -> None:
        now = time.monotonic()
        stall = now - self._last - self.interval
        self._last = now
        if stall > self.worst:
            self.worst = stall
        if stall > self.warn:
            self.stalls.append(stall)
            log.warning("the window was unresponsive for %.0f ms", stall * 1000)
