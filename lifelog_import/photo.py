"""Photos: EXIF time (with its offset when the camera wrote one) and GPS position."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .api import ImportFailure, Importer, Source
from .sniff import check_family
from .timeinfo import parse_exif_time, resolve

_DATETIME_ORIGINAL, _OFFSET_ORIGINAL, _DATETIME, _GPS = 36867, 36881, 306, 34853


def _gps(exif) -> dict | None:
    try:
        gps = exif.get_ifd(_GPS)
    except Exception:
        return None
    if not gps or 2 not in gps or 4 not in gps:
        return None

    def deg(values, ref) -> float:
        d, m, s = (float(v) for v in values)
        sign = -1 if str(ref).upper() in ("S", "W") else 1
        return sign * (d + m / 60 + s / 3600)

    try:
        return {"lat": round(deg(gps[2], gps.get(1, "N")), 6), "lon": round(deg(gps[4], gps.get(3, "E")), 6)}
    except (TypeError, ValueError, ZeroDivisionError):
        return None


class PhotoImporter(Importer):
    name = "photo"
    extensions = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff")

    def read(self, path: Path, settings: Any) -> Source:
        from PIL import Image, UnidentifiedImageError

        with open(path, "rb") as fh:
            head = fh.read(4096)
        check_family(path.suffix, head, ("image",))
        try:
            with Image.open(path) as img:
                img.load()  # decodes fully: a truncated photo fails here, not later
                width, height = img.size
                exif = img.getexif()
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            raise ImportFailure(f"not a readable image ({exc}); the file may be truncated or corrupt") from None
        exif_ifd = exif.get_ifd(0x8769) if exif else {}
        stamp = exif_ifd.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME) if exif else None
        offset = exif_ifd.get(_OFFSET_ORIGINAL) if exif_ifd else None
        meta: dict[str, Any] = {"width": width, "height": height}
        gps = _gps(exif) if exif else None
        if gps:
            meta["gps"] = gps
        return Source(path, self.name, "photo", resolve(path, exif=parse_exif_time(stamp, offset)), meta=meta)
