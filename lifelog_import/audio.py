"""Audio-only recordings from pendants, recorders and phones."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .api import ImportFailure, Importer, Source
from .probe import ProbeError, probe
from .sniff import check_family
from .timeinfo import resolve


class AudioImporter(Importer):
    name = "audio"
    extensions = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus", ".aac", ".wma")

    def read(self, path: Path, settings: Any) -> Source:
        with open(path, "rb") as fh:
            head = fh.read(4096)
        check_family(path.suffix, head, ("audio", "video"))
        try:
            info = probe(path)
        except ProbeError as exc:
            raise ImportFailure(f"{exc}; the file may be truncated or corrupt") from None
        if not info.has_audio:
            raise ImportFailure("it holds no audio stream")
        if info.duration <= 0:
            raise ImportFailure("its duration is zero or unknown; the file may be truncated")
        return Source(path, self.name, "audio", resolve(path, container=info.creation_time), info=info,
                      meta={"format": info.format_name})
