"""Camera footage: GoPro cards, timestamp-named body-camera segments, phone videos."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .api import ImportFailure, Importer, Source
from .probe import ProbeError, probe
from .sniff import check_family
from .timeinfo import gopro_recording, resolve


class VideoImporter(Importer):
    name = "video"
    extensions = (".mp4", ".mov", ".mkv", ".avi", ".m4v", ".webm", ".mts", ".3gp")

    def read(self, path: Path, settings: Any) -> Source:
        with open(path, "rb") as fh:
            head = fh.read(4096)
        check_family(path.suffix, head, ("video", "audio"))
        try:
            info = probe(path, count_keyframes=True)
        except ProbeError as exc:
            raise ImportFailure(f"{exc}; the file may be truncated or corrupt") from None
        if not info.has_video and not info.has_audio:
            raise ImportFailure("it holds neither video nor audio streams")
        if info.duration <= 0:
            raise ImportFailure("its duration is zero or unknown; the file may be truncated")
        meta: dict[str, Any] = {"width": info.width, "height": info.height, "format": info.format_name}
        recording = gopro_recording(path)
        if recording:
            meta["recording"] = f"gopro-{recording[0]}"
            meta["chapter"] = recording[1]
        kind = "video" if info.has_video else "audio"
        return Source(path, self.name, kind, resolve(path, container=info.creation_time), info=info, meta=meta)
