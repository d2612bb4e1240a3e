"""Python's cycle collector, run on the main thread only.

The collector runs on whichever thread happens to allocate past its threshold. When that was a job's
thread (the Home page being read, an answer being written) and the garbage held a Qt wrapper (a
closed window's widget in a cycle with its own slots), shiboken deleted the wrapper from that thread
by queueing the deletion to the main thread, where it crashed (a segfault in
`BindingManager::runDeletionInMainThread`, seen in the test suite as a window closed while its Home
page was still being read). qutebrowser does the same for PyQt: automatic collection is off, and a
timer on the main thread collects each generation when it is due.
"""
from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

CHECK_MS = 500  # how often the counts are looked at: a collection is due far less often


class MainThreadCollector(QObject):
    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.timeout.connect(collect_due)
        self.timer.start(CHECK_MS)
        gc.disable()


def collect_due() -> None:
    """Collect the oldest generation that is due, as the automatic collector would have."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    if counts[0] <= thresholds[0]:
        return
    gc.collect(2 if counts[2] > thresholds[2] else 1 if counts[1] > thresholds[1] else 0)


def install() -> MainThreadCollector | None:
    """Start collecting on the main thread for the application's life (once; None without an app)."""
    app = QCoreApplication.instance()
    if app is None:
        return None
    found = app.findChild(MainThreadCollector)
    return found or MainThreadCollector(app)
