"""The built-in sample day: a few short clips of one person's Monday, made here from nothing.

Speech comes from espeak-ng in distinct voices (the owner and three others), pictures from
ffmpeg's lavfi sources, a photo and a sign drawn with Pillow; times sit in container metadata,
EXIF and file names, the way real cameras leave them. The same builders make the ingest
benchmark's long footage and the test fixtures, so what the demo shows is what is tested.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SR = 16000
OWNER_NAME = "Alex"
DAY = "2026-03-02"
MANIFEST = ".manifest.json"  # hidden: import skips it

# espeak-ng voices that a voice encoder tells apart from the owner's (measured cosine <= 0.63) and
# that Whisper tiny.en understands best among those tried
VOICES = {
    "owner": "en-us+f3",
    "partner": "en-us+m1",
    "dentist": "en+m7",
    "colleague": "en-us+m3",
}


class GeneratorMissing(RuntimeError):
    pass


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        raise GeneratorMissing(f"{tool} is not installed (make installs it: packaging/install-system-deps.sh)")
    return path


def speak(text: str, voice: str, speed: int = 150) -> np.ndarray:
    """espeak-ng speech as float32 mono at 16 kHz."""
    _need("espeak-ng")
    with tempfile.NamedTemporaryFile(suffix=".wav") as tmp:
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", tmp.name, text], check=True,
                       capture_output=True)
        out = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", tmp.name, "-ac", "1", "-ar", str(SR),
                              "-f", "f32le", "-"], check=True, capture_output=True).stdout
    return np.frombuffer(out, np.float32).copy()


@dataclass
class Line:
    who: str  # key of VOICES
    text: str
    at: float  # seconds into the clip


@dataclass
class SpokenLine:
    who: str
    text: str
    start: float
    end: float


def soundtrack(lines: list[Line], duration: float, *, noise: float = 0.003, seed: int = 0) -> tuple[np.ndarray, list[SpokenLine]]:
    """Lines placed at their times over low room noise; returns the track and where each line landed."""
    rng = np.random.default_rng(seed)
    track = (rng.standard_normal(int(duration * SR)) * noise).astype(np.float32)
    spoken = []
    for line in lines:
        wav = speak(line.text, VOICES.get(line.who, line.who)) * 0.8
        a = int(line.at * SR)
        b = min(a + wav.size, track.size)
        track[a:b] += wav[: b - a]
        spoken.append(SpokenLine(line.who, line.text, line.at, b / SR))
    return np.clip(track, -1, 1), spoken


def _write_wav(path: Path, audio: np.ndarray) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "f32le", "-ar", str(SR), "-ac", "1",
                    "-i", "-", str(path)], input=audio.astype(np.float32).tobytes(), check=True)


def make_video(out: Path, scenes: list[tuple[str, float]], audio: np.ndarray | None, *, size: str = "640x360",
               fps: int = 10, creation_time: str | None = None, gop_s: float = 2.0) -> Path:
    """A clip cut from lavfi sources (name, seconds each), with an optional soundtrack."""
    _need("ffmpeg")
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
    for src, secs in scenes:
        opts = f"size={size}:rate={fps}" if src not in ("color",) else f"size={size}:rate={fps}:c=0x335577"
        if src.startswith("color="):
            opts, src = f"c={src.split('=', 1)[1]}:size={size}:rate={fps}", "color"
        cmd += ["-f", "lavfi", "-t", f"{secs}", "-i", f"{src}={opts}"]
    with tempfile.TemporaryDirectory() as tmp:
        if audio is not None:
            wav = Path(tmp) / "a.wav"
            _write_wav(wav, audio)
            cmd += ["-i", str(wav)]
        n = len(scenes)
        chain = "".join(f"[{i}:v]format=yuv420p,setsar=1[v{i}];" for i in range(n))
        chain += "".join(f"[v{i}]" for i in range(n)) + f"concat=n={n}:v=1:a=0[v]"
        cmd += ["-filter_complex", chain, "-map", "[v]"]
        if audio is not None:
            cmd += ["-map", f"{n}:a", "-c:a", "aac", "-b:a", "64k"]
        cmd += ["-c:v", "libx264", "-preset", "ultrafast", "-g", str(int(fps * gop_s)), "-pix_fmt", "yuv420p"]
        if creation_time:
            cmd += ["-metadata", f"creation_time={creation_time}"]
        cmd += ["-shortest" if audio is not None else "-an", str(out)]
        subprocess.run(cmd, check=True, capture_output=True)
    return out


def make_audio(out: Path, audio: np.ndarray, *, creation_time: str | None = None) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "f32le", "-ar", str(SR), "-ac", "1", "-i", "-"]
    if out.suffix.lower() in (".m4a", ".mp4"):
        cmd += ["-c:a", "aac", "-b:a", "64k"]
    if creation_time:
        cmd += ["-metadata", f"creation_time={creation_time}"]
    subprocess.run(cmd + [str(out)], input=audio.astype(np.float32).tobytes(), check=True, capture_output=True)
    return out


def make_sign_photo(out: Path, text: str, *, taken: str | None, gps: tuple[float, float] | None = None) -> Path:
    """A photo of a sign: big dark letters on a pale board over a coloured wall, with EXIF."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (1024, 768), (60, 120, 70))
    draw = ImageDraw.Draw(img)
    draw.rectangle([112, 260, 912, 508], fill=(240, 236, 220))
    font = ImageFont.load_default(size=96)
    box = draw.textbbox((0, 0), text, font=font)
    draw.text(((1024 - (box[2] - box[0])) // 2, 384 - (box[3] - box[1]) // 2 - box[1]), text, fill=(20, 20, 30), font=font)
    exif = Image.Exif()
    if taken:
        exif.get_ifd(0x8769)[36867] = taken
        exif[306] = taken
    if gps:
        def dms(v: float):
            v = abs(v)
            d = int(v)
            m = int((v - d) * 60)
            s = round(((v - d) * 60 - m) * 60, 2)
            return (float(d), float(m), float(s))

        exif[34853] = {1: "N" if gps[0] >= 0 else "S", 2: dms(gps[0]), 3: "E" if gps[1] >= 0 else "W", 4: dms(gps[1])}
    out.parent.mkdir(parents=True, exist_ok=True)
    img.save(out, "JPEG", quality=90, exif=exif)
    return out


# -- the day ------------------------------------------------------------------------------------

BREAKFAST = [
    Line("owner", "Good morning. I put my passport in the top drawer of the desk in the study, so I do not lose it before the trip to Lisbon.", 1.0),
    Line("partner", "Do not forget that we have the dentist appointment at eleven today.", 10.5),
    Line("owner", "Right. I will take the number twelve bus at half past ten.", 16.5),
]
DENTIST = [
    Line("dentist", "Your lower left molar has a small cavity. We should fill it next week, and please floss every evening.", 1.0),
    Line("owner", "Okay, I will book the filling for next Tuesday afternoon.", 9.5),
]
DENTIST_2 = [
    Line("owner", "The dentist said the cleaning went well, apart from that one cavity.", 1.0),
]
LUNCH = [
    Line("colleague", "The quarterly report is due on Friday, and Maria wants the budget numbers by Thursday.", 1.0),
    Line("owner", "I will send Maria the spreadsheet tomorrow morning, before the team meeting.", 8.5),
]
DIARY = """Monday. Busy day. The dentist found a small cavity, so the filling is booked for next
Tuesday. Lunch with the team: Maria needs the budget numbers by Thursday. Walked home past the
city library and bought sourdough bread at the bakery on the corner. I keep thinking about Lisbon."""
CHAT = [
    ("02/03/2026, 18:02", "Sam", "Are we still on for tennis on Saturday?"),
    ("02/03/2026, 18:05", OWNER_NAME, "Yes! Ten o'clock at the park courts. I will bring the new balls."),
    ("02/03/2026, 18:06", "Sam", "Great, see you there"),
]


def build(out: Path) -> dict:
    """Write the sample day under `out`; returns a manifest (files, spoken lines) for tests and the tour."""
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict = {"owner": OWNER_NAME, "day": DAY, "files": {}}

    def record(path: Path, spoken: list[SpokenLine] | None = None) -> None:
        manifest["files"][str(path.relative_to(out))] = [vars(s) for s in (spoken or [])]

    audio, spoken = soundtrack(BREAKFAST, 24.0, seed=1)
    record(make_video(out / "bodycam" / DAY / "20260302_074500.mp4", [("testsrc2", 12), ("smptebars", 12)], audio,
                      creation_time="2026-03-02T07:45:00Z"), spoken)

    audio, spoken = soundtrack(DENTIST, 16.0, seed=2)
    record(make_video(out / "DCIM" / "100GOPRO" / "GOPR0001.MP4", [("mandelbrot", 8), ("color=0x8899aa", 8)], audio,
                      creation_time="2026-03-02T11:02:00.000000Z"), spoken)
    audio, spoken = soundtrack(DENTIST_2, 8.0, seed=3)
    record(make_video(out / "DCIM" / "100GOPRO" / "GP010001.MP4", [("color=0x8899aa", 8)], audio), spoken)

    audio, spoken = soundtrack(LUNCH, 15.0, seed=4)
    record(make_audio(out / "recorder" / "2026-03-02_13-15-00.m4a", audio), spoken)

    record(make_sign_photo(out / "photos" / "IMG_0042.jpg", "CITY LIBRARY", taken="2026:03:02 17:30:00",
                           gps=(38.7223, -9.1393)))

    # evening: the camera left running on a table, nothing said (must yield no words)
    audio, spoken = soundtrack([], 30.0, noise=0.01, seed=5)
    record(make_video(out / "bodycam" / DAY / "20260302_190000.mp4", [("cellauto", 30)], audio), spoken)

    diary = out / "diary" / f"{DAY}.md"
    diary.parent.mkdir(parents=True, exist_ok=True)
    diary.write_text(DIARY + "\n", encoding="utf-8")
    record(diary)

    chat = out / "chats" / "WhatsApp Chat with Sam.txt"
    chat.parent.mkdir(parents=True, exist_ok=True)
    chat.write_text("".join(f"{d} - {who}: {msg}\n" for d, who, msg in CHAT), encoding="utf-8")
    record(chat)

    (out / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def ensure(out: Path) -> dict:
    """Build the day once; later calls reuse it."""
    manifest = out / MANIFEST
    if manifest.exists():
        return json.loads(manifest.read_text(encoding="utf-8"))
    tmp = out.with_name(out.name + ".building")
    shutil.rmtree(tmp, ignore_errors=True)
    build(tmp)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    # the manifest's paths are relative, so the rename keeps it valid
    return json.loads(manifest.read_text(encoding="utf-8"))
