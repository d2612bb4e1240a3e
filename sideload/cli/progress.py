"""A progress bar on stderr for the CLI (stdout stays clean for --json)."""
from __future__ import annotations

import sys
import time
from typing import TextIO

from sideload.jobs import Progress


def _fmt_s(s: float | None) -> str:
    if s is None:
        return "--:--"
    s = int(s)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class TerminalProgress:
    def __init__(self, stream: TextIO = sys.stderr, width: int = 24, quiet: bool = False):
        self.stream = stream
        self.width = width
        self.quiet = quiet
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self._last_line = 0.0
        self._last_key = ("", "")
        self._drawn = False

    def __call__(self, p: Progress) -> None:
        if self.quiet:
            return
        filled = int(self.width * p.fraction)
        bar = "#" * filled + "-" * (self.width - filled)
        files = f"{p.done}/{p.total} {p.message or 'files'} " if p.total else ""
        text = (f"[{bar}] {p.fraction * 100:5.1f}% {files}{p.stage:<17.17} {p.item[:32]:<32} "
                f"left {_fmt_s(p.eta_s)}")
        if self.tty:
            self.stream.write("\r" + text)
            self._drawn = True
        else:
            # a log file gets a line when the file or stage changes, at most every 2 s
            key = (p.item, p.stage)
            now = time.monotonic()
            if key != self._last_key and now - self._last_line >= 2 or p.fraction >= 1.0:
                self.stream.write(text.rstrip() + "\n")
                self._last_line, self._last_key = now, key
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
