"""Whether another process holds one of the vault's lock files, asked without writing anything."""
from __future__ import annotations

import fcntl
import os
from pathlib import Path


def held(path: Path) -> bool:
    """True while some process holds an exclusive lock on `path` (a missing file is held by nobody).
    Opened read-only, never created: asking must work on read-only media and change nothing."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
