"""Logging to a file: the vault's log when a vault is open, the per-user log otherwise."""
from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from sideload import paths

_handler: logging.Handler | None = None


def setup(log_file: Path | None = None, verbose: bool = False) -> Path:
    global _handler
    target = log_file or paths.user_log_dir() / "sideload.log"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(target, maxBytes=5_000_000,
                                                                        backupCount=3, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
        _handler.close()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("chromadb", "httpx", "urllib3", "faster_whisper", "sentence_transformers", "PIL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    _handler = handler
    return target
