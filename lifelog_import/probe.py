"""What a media file holds, from ffprobe: streams, duration, container time, key frames."""
from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path


class ProbeError(Exception):
    pass


@dataclass
class MediaInfo:
    duration: float
    format_name: str
    has_video: bool
    has_audio: bool
    width: int = 0
    height: int = 0
    rotation: int = 0
    creation_time: str | None = None  # as the container says it
    tags: dict = field(default_factory=dict)
    keyframes: int | None = None


def probe(path: Path, *, count_keyframes: bool = False) -> MediaInfo:
    cmd = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)]
    proc = subprocess.run(cmd, capture_output=True, timeout=120)
    if proc.returncode != 0:
        msg = proc.stderr.decode(errors="replace").strip().splitlines()
        detail = msg[-1].split(": ", 1)[-1] if msg else "ffprobe failed"
        raise ProbeError(f"not readable as media ({detail})")
    data = json.loads(proc.stdout or b"{}")
    fmt = data.get("format") or {}
    streams = data.get("streams") or []
    video = [s for s in streams if s.get("codec_type") == "video"
             and not (s.get("disposition") or {}).get("attached_pic")]
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    duration = _float(fmt.get("duration"))
    if not duration:
        duration = max((_float(s.get("duration")) for s in streams), default=0.0)
    tags = {k.lower(): v for k, v in (fmt.get("tags") or {}).items()}
    for s in video + audio:
        for k, v in (s.get("tags") or {}).items():
            tags.setdefault(k.lower(), v)
    creation = tags.get("com.apple.quicktime.creationdate") or tags.get("creation_time") or tags.get("date")
    info = MediaInfo(duration=duration, format_name=fmt.get("format_name", ""), has_video=bool(video),
                     has_audio=bool(audio), tags=tags, creation_time=creation)
    if video:
        v = video[0]
        info.width, info.height = int(v.get("width") or 0), int(v.get("height") or 0)
        rot = (v.get("tags") or {}).get("rotate")
        for sd in v.get("side_data_list") or []:
            if "rotation" in sd:
                rot = sd["rotation"]
        info.rotation = int(float(rot)) if rot else 0
        if count_keyframes:
            info.keyframes = count_video_keyframes(path)
    return info


def count_video_keyframes(path: Path) -> int | None:
    """Key packets of the first video stream: read from the container, nothing decoded."""
    cmd = ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=flags",
           "-of", "csv=p=0", str(path)]
    proc = subprocess.run(cmd, capture_output=True, timeout=300)
    if proc.returncode != 0:
        return None
    return sum(1 for line in proc.stdout.splitlines() if line.startswith(b"K"))


def _float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0
