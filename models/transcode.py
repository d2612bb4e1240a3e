"""A low-bitrate copy of a video with ffmpeg: what retention keeps of an old original.

360p H.264 at CRF 32 with mono AAC at 48 kbit/s: faces, places and speech stay recognisable at
roughly 0.2 to 0.4 Mbit/s, against the 6 to 60 Mbit/s a body camera or a GoPro records. The copy
keeps the original's timeline (no trimming, same start), so a moment's second is the same second in
both; `+faststart` puts the index first so a player seeks without reading the whole file.
"""
from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Callable

HEIGHT = 360
CRF = 32
AUDIO_KBPS = 48


class TranscodeError(Exception):
    pass


def reduce_video(src: Path, dst: Path, *, threads: int = 1, check: Callable[[], None] | None = None,
                 height: int = HEIGHT, crf: int = CRF, audio_kbps: int = AUDIO_KBPS) -> None:
    """Write the low-bitrate copy of `src` to `dst` (the caller renames it into place). `check` is
    called about twice a second and may raise to cancel; ffmpeg is then stopped."""
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(src),
           "-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn", "-map_metadata", "0",
           # never upscale; -2 keeps the width even (H.264 needs it) and the aspect ratio
           "-vf", f"scale=-2:'min({height},ih)'", "-c:v", "libx264", "-preset", "veryfast", "-crf", str(crf),
           "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", f"{audio_kbps}k", "-ac", "1",
           "-movflags", "+faststart", "-threads", str(max(1, threads)), "-f", "mp4", str(dst)]
    with subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as proc:
        try:
            while proc.poll() is None:
                if check is not None:
                    check()
                time.sleep(0.1)
        except BaseException:
            proc.kill()
            raise
        err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
    if proc.returncode != 0:
        lines = err.splitlines()
        raise TranscodeError(lines[-1] if lines else f"ffmpeg exited with {proc.returncode}")
