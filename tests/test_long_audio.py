"""Day-long recordings: decoded to disk past a limit, VAD in windows, speech across window edges."""
import numpy as np
import pytest

from models.audio import AudioTrack, VAD_WINDOW_S, track_speech_regions
from sideload.demo import sampleday
from sideload.demo.sampleday import Line

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def long_recording(tmp_path_factory):
    """Twelve minutes of room noise with three lines, one of them across the 10-minute VAD window edge."""
    out = tmp_path_factory.mktemp("long") / "2026-03-02_09-00-00.flac"
    lines = [Line("owner", "The first thing I said this morning was about the garden fence.", 30.0),
             Line("partner", "The electrician is coming at noon to look at the kitchen lights.", VAD_WINDOW_S - 2.0),
             Line("owner", "I will water the tomatoes before dinner tonight.", 700.0)]
    audio, spoken = sampleday.soundtrack(lines, 720.0, noise=0.004, seed=9)
    sampleday.make_audio(out, audio)
    return out, spoken


def test_a_long_track_spills_to_disk_and_slices_the_same(long_recording, tmp_path):
    path, _ = long_recording
    in_memory = AudioTrack.decode(path)
    on_disk = AudioTrack.decode(path, tmp_dir=tmp_path, in_memory_max_s=60)
    try:
        assert in_memory.in_memory and not on_disk.in_memory
        assert on_disk.n == in_memory.n and abs(on_disk.duration - 720.0) < 0.1
        assert list(tmp_path.glob("audio-*.f32"))
        for a, b in [(0, 1), (599.5, 601.25), (719, 725)]:
            assert np.array_equal(on_disk.slice(a, b), in_memory.slice(a, b))
    finally:
        on_disk.close()
        in_memory.close()
    assert not list(tmp_path.glob("audio-*.f32"))  # closing deletes the scratch file


def test_speech_across_a_window_edge_is_one_region_and_fully_transcribed(long_recording, home):
    from models.transcribe import load_model, transcribe_track

    path, spoken = long_recording
    track = AudioTrack.decode(path, in_memory_max_s=60)
    try:
        regions = track_speech_regions(track)
        edge = spoken[1]
        across = [r for r in regions if r.start < VAD_WINDOW_S < r.end]
        assert len(across) == 1 and across[0].start <= edge.start + 0.5 and across[0].end >= edge.end - 0.5
        assert len(regions) == 3
        segments = transcribe_track(load_model(None, device="cpu", threads=2), track, regions)
    finally:
        track.close()
    text = " ".join(s.text for s in segments).lower()
    assert "electrician" in text and "dinner" in text and "fence" in text
    electrician = next(s for s in segments if "electrician" in s.text.lower())
    assert abs(electrician.start - edge.start) < 1.0 and electrician.end > VAD_WINDOW_S
