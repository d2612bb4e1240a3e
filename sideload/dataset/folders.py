"""Where an export or a merge is written: a fresh folder beside the target, swapped in whole.

The target must be new, empty, or an earlier output of the same kind; an earlier output is replaced
entirely (an old shard may hold a moment forgotten since), and a failure or a cancel midway leaves
it as it was.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from sideload.errors import SideloadError

MANIFEST = "manifest.json"


def format_of(folder: Path) -> str | None:
    try:
        doc = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc.get("format") if isinstance(doc, dict) else None


def staging_for(out: Path, fmt: str) -> Path:
    """A new folder beside `out` to write into, after checking `out` may be replaced."""
    if out.exists() and not out.is_dir():
        raise SideloadError(f"{out} is a file; the dataset goes into a folder", kind="usage")
    if out.is_dir() and any(out.iterdir()) and format_of(out) != fmt:
        raise SideloadError(f"{out} is not empty and holds no earlier {fmt} output; nothing was written",
                            kind="usage", hint="choose a new or empty folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))


def swap_in(staging: Path, out: Path) -> None:
    os.chmod(staging, 0o755)
    if not out.exists():
        os.rename(staging, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
    os.rename(out, old / "replaced")
    os.rename(staging, out)
    shutil.rmtree(old, ignore_errors=True)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
