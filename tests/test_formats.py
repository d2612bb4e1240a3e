"""Real-world variety: codecs, containers, clocks and layouts that cameras and phones produce."""
import subprocess

import pytest

from conftest import cli_json, run_cli
from sideload.demo import sampleday

pytestmark = pytest.mark.slow

LINE = "I put the spare batteries in the kitchen drawer next to the torch."


def _ff(*args):
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def card(tmp_path_factory):
    d = tmp_path_factory.mktemp("variety")
    wav = d.parent / f"{d.name}-speech.wav"  # beside the card, not on it
    sampleday.make_audio(wav, sampleday.soundtrack([sampleday.Line("owner", LINE, 0.5)], 6.0, seed=3)[0])
    v = ["-f", "lavfi", "-i"]
    _ff(*v, "testsrc2=size=640x360:rate=30:duration=6", "-i", str(wav), "-c:v", "libx265", "-preset", "ultrafast",
        "-x265-params", "log-level=none", "-c:a", "aac", "-shortest", "-metadata", "creation_time=2026-03-05T10:00:00Z",
        str(d / "GX010042.MP4"))
    _ff(*v, "smptebars=size=640x360:rate=30:duration=6", "-i", str(wav), "-c:v", "libx264", "-preset", "ultrafast",
        "-c:a", "aac", "-shortest", "-movflags", "use_metadata_tags",
        "-metadata", "com.apple.quicktime.creationdate=2026-03-05T11:00:00+0100", str(d / "IMG_1235.MOV"))
    _ff(*v, "cellauto=size=640x360:rate=25", "-t", "6", "-i", str(wav), "-c:v", "libvpx", "-deadline", "realtime",
        "-c:a", "libopus", "-shortest", str(d / "2026-03-05 12.00.00.mkv"))
    _ff(*v, "testsrc=size=640x480:rate=10:duration=6", "-i", str(wav), "-c:v", "mjpeg", "-c:a", "pcm_s16le",
        "-shortest", str(d / "20260305_130000.avi"))
    _ff("-i", str(wav), "-c:a", "libmp3lame", str(d / "20260305_140000.mp3"))
    _ff("-i", str(wav), "-c:a", "libvorbis", str(d / "2026-03-05_15-00-00.ogg"))
    _ff("-i", str(wav), "-ar", "8000", "-ac", "2", str(d / "2026-03-05_16-00-00 8k stereo.wav"))
    _ff(*v, "testsrc2=size=640x360:rate=30:duration=6", "-i", str(wav), "-i", str(wav), "-map", "0:v", "-map", "1:a",
        "-map", "2:a", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest",
        "-metadata", "creation_time=2026-03-05T17:00:00Z", str(d / "VID_20260305_170000.mp4"))
    _ff(*v, "color=c=red:size=400x300", "-frames:v", "1", str(d / "2026-03-05_18-00-00.png"))
    return d


def test_every_format_imports_with_its_words_and_its_time(card, tmp_path, home):
    vault = tmp_path / "v"
    run_cli("--vault", str(vault), "init", check=True)
    out = cli_json("--vault", str(vault), "import", str(card))
    assert out["failed"] == [] and out["imported"] == 9
    moments = cli_json("--vault", str(vault), "moments")["moments"]
    by_file = {}
    for m in moments:
        by_file.setdefault(m["source"].rsplit("/", 1)[1], []).append(m)
    assert len(by_file) == 9
    expected_hour = {"GX010042.MP4": "10", "IMG_1235.MOV": "11", "2026-03-05 12.00.00.mkv": "12",
                     "20260305_130000.avi": "13", "20260305_140000.mp3": "14", "2026-03-05_15-00-00.ogg": "15",
                     "2026-03-05_16-00-00 8k stereo.wav": "16", "2026-03-05_18-00-00.png": "18"}
    for name, hour in expected_hour.items():
        assert by_file[name][0]["started_at"][:13] == f"2026-03-05T{hour}", (name, by_file[name][0]["started_at"])
    assert by_file["IMG_1235.MOV"][0]["started_at"].endswith("+01:00")  # the phone's own zone kept
    for name, ms in by_file.items():
        if name.endswith(".png"):
            assert [m["kind"] for m in ms] == ["photo"]
            continue
        speech = [m for m in ms if m["kind"] == "speech"]
        text = speech[0]["text"].lower()
        assert len(speech) == 1 and "spare" in text and "next to" in text, (name, ms)
