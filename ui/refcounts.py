"""A reserve of references to None, where PySide6 drops one on every call that returns nothing.

PySide6 6.12.0 on Python 3.11 does not take a reference to the None it returns from a method with no
result (QLabel.setText, QWidget.update, every QPainter.fillRect ...), so each such call costs None one
reference. Seen here: 200,000 setText calls, or a few minutes of painting the calendar (a few hundred
cells a frame), freed None and aborted the interpreter ("none_dealloc"). Python 3.12 made None immortal
for exactly this kind of bug; on 3.11 None is given a reserve of references once, at import, so no
number of calls in an app's lifetime reaches zero. Measured first, so it applies only where the leak
is real (ui/jobs.py does the same for the True that `emit` drops).
"""
from __future__ import annotations

import ctypes
import sys

RESERVE = 1 << 48  # about 2.8e14 calls: centuries of painting


def void_call_leaks_none() -> bool:
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(8):
        probe.setObjectName("probe")
    return sys.getrefcount(None) - before <= -8


def ensure_reserve() -> bool:
    """Give None its reserve when the leak is real; True when it was needed."""
    if sys.version_info >= (3, 12) or hasattr(sys, "gettotalrefcount") or not void_call_leaks_none():
        # None is immortal there; a debug build lays objects out differently; or this PySide6 is sound
        return False
    count = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt, the first field of every object
    if count.value < RESERVE:  # under the GIL: no other thread changes it meanwhile
        count.value += RESERVE
    return True


NEEDED = ensure_reserve()
