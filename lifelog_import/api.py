"""The small, stable API between Sideload and its importers (built-in or third-party).

An importer says which files it claims (`claims`) and reads one into a `Source` (`read`): what
kind of media it is, when it was recorded (and how that was worked out), and for writing, the
dated entries in it. Everything after that (transcription, keyframes, moments, index) is the
pipeline's job, not the importer's.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "sideload.importers"
MEDIA_KINDS = ("video", "audio", "photo", "text")


class ImportFailure(Exception):
    """This one file cannot be imported; the message is the reason shown to the person."""


@dataclass
class WallClock:
    """When a recording started, and where that knowledge came from."""

    start: datetime | None
    source: str  # container | exif | filename | folder | content | mtime | none
    tz_known: bool = False

    @property
    def uncertain(self) -> bool:
        return self.source in ("mtime", "none")


@dataclass
class TextEntry:
    when: datetime
    text: str
    speaker: str | None = "me"  # me | other | unknown
    speaker_name: str | None = None
    precision: str = "second"  # second | day
    end: datetime | None = None


@dataclass
class Source:
    path: Path
    importer: str
    media_kind: str
    clock: WallClock
    info: Any = None  # lifelog_import.probe.MediaInfo for audio and video
    entries: list[TextEntry] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    # lines or entries of the file that were left out, each (line number, reason): the rest imports,
    # and each of these is named to the person beside the file
    dropped: list[tuple[int, str]] = field(default_factory=list)


class Importer:
    """Base class for importers. Subclasses set `name`, `extensions` and implement `read`."""

    name: ClassVar[str] = ""
    extensions: ClassVar[tuple[str, ...]] = ()
    priority: ClassVar[int] = 0  # when two importers claim a file, the higher one reads it

    def claims(self, path: Path, head: bytes) -> bool:
        return path.suffix.lower() in self.extensions

    def read(self, path: Path, settings: Any) -> Source:
        raise NotImplementedError


def load_importers() -> list[Importer]:
    """Every importer registered under the entry-point group, highest priority first."""
    found: list[Importer] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            cls = ep.load()
            found.append(cls())
        except Exception as exc:  # a broken plugin must not stop imports
            log.warning("importer %s could not be loaded: %s", ep.name, exc)
    return sorted(found, key=lambda imp: -imp.priority)
