"""Transcription: the shipped Whisper base assembled and checked, regions decoded in windows.

The tests marked slow load a real model; the rest check the assembly and the window arithmetic on
small fakes and run in the fast tier.
"""
import hashlib

import numpy as np
import pytest

from models.wer import wer

from models import whisper_cache
from models.audio import SAMPLE_RATE, AudioTrack, SpeechRegion, decode_audio, speech_regions
from models.speech_windows import GAP_FILL_S, PAD_S, WINDOW_S, plan_windows
from models.whisper_cache import Bundle, assemble, file_ok

slow = pytest.mark.slow

JFK = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."


# --- the assembly, on a small fake pair of packages ---------------------------------------------

@pytest.fixture
def fake_bundle(tmp_path, monkeypatch):
    """Two importable packages shaped like the real ones, with a 300 kB model split in two."""
    rng = np.random.default_rng(1)
    model = rng.integers(0, 256, 300_001, dtype=np.uint8).tobytes()
    halves = (model[:150_000], model[150_000:])
    site = tmp_path / "site"
    for i, half in enumerate(halves, 1):
        data = site / f"fake_whisper_part{i}" / "data"
        data.mkdir(parents=True)
        (data.parent / "__init__.py").write_text("")
        (data / f"model.bin.part{i}").write_bytes(half)
    (site / "fake_whisper_part1" / "data" / "config.json").write_text('{"fake": true}')
    monkeypatch.syspath_prepend(str(site))
    bundle = Bundle(name="fake-whisper", packages=("fake_whisper_part1", "fake_whisper_part2"),
                    size=len(model), sha256=hashlib.sha256(model).hexdigest(), extra_files=("config.json",))
    return bundle, model, site, tmp_path / "cache"


def test_parts_are_joined_checked_and_renamed_into_place(fake_bundle):
    bundle, model, _, cache = fake_bundle
    folder = assemble(bundle, cache)
    assert (folder / "model.bin").read_bytes() == model
    assert (folder / "config.json").read_text() == '{"fake": true}'
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.bin"]  # no temporary left
    assert file_ok(folder / "model.bin", bundle.size, bundle.sha256)


@pytest.mark.parametrize("damage", ["one-byte-flipped", "partial", "empty", "deleted"])
def test_a_damaged_or_partial_cache_is_detected_and_assembled_again(fake_bundle, damage):
    bundle, model, _, cache = fake_bundle
    target = assemble(bundle, cache) / "model.bin"
    if damage == "one-byte-flipped":
        data = bytearray(model)
        data[200_000] ^= 0xFF
        target.write_bytes(bytes(data))  # same size: only the checksum can tell
    elif damage == "partial":
        target.write_bytes(model[:150_000])
    elif damage == "empty":
        target.write_bytes(b"")
    else:
        target.unlink()
    assert not file_ok(target, bundle.size, bundle.sha256)
    assert assemble(bundle, cache) / "model.bin" == target
    assert target.read_bytes() == model


def test_damaged_parts_are_refused_and_leave_nothing_half_written(fake_bundle):
    bundle, model, site, cache = fake_bundle
    part2 = site / "fake_whisper_part2" / "data" / "model.bin.part2"
    part2.write_bytes(part2.read_bytes()[:-10])
    with pytest.raises(OSError, match="reinstall"):
        assemble(bundle, cache)
    assert [p.name for p in (cache / bundle.name).iterdir()] == ["config.json"]


def test_a_missing_package_is_named(fake_bundle):
    bundle, _, _, cache = fake_bundle
    missing = Bundle(name="x", packages=("fake_whisper_part1", "no_such_whisper_part"), size=1, sha256="0")
    with pytest.raises(FileNotFoundError, match="no-such-whisper-part"):
        assemble(missing, cache)


def test_the_real_parts_are_where_the_bundle_says():
    parts, extras = whisper_cache.source_files(whisper_cache.WHISPER_BASE)
    assert sum(p.stat().st_size for p in parts) == whisper_cache.WHISPER_BASE.size
    assert all(f.is_file() for f in extras.values())


# --- windows: regions gathered, pauses shortened, words mapped back -----------------------------

def test_neighbouring_regions_share_windows_of_at_most_the_window_length():
    regions = [SpeechRegion(t, t + 3.0) for t in np.arange(0.0, 300.0, 5.0)]  # 3 s of speech every 5 s
    windows = plan_windows(regions, 300.0)
    assert [r for w in windows for r in w.regions] == regions  # each region in exactly one window
    assert all(w.length <= WINDOW_S for w in windows)
    assert len(windows) <= 60 // 5  # about seven regions a window, not one
    long_one = plan_windows([SpeechRegion(10.0, 75.0)], 100.0)
    assert len(long_one) == 1 and long_one[0].length > WINDOW_S  # a long region is a window of its own


def test_a_long_pause_is_cut_short_and_times_map_back():
    regions = [SpeechRegion(1.0, 4.0), SpeechRegion(4.8, 6.0), SpeechRegion(40.0, 43.0)]
    (w,) = plan_windows(regions, 60.0)
    assert len(w.pieces) == 2  # the short pause stays as recorded, the long one is cut
    assert w.pieces[0].lo == pytest.approx(1.0 - PAD_S) and w.pieces[0].hi == pytest.approx(6.0 + PAD_S)
    assert w.pieces[1].at == pytest.approx(w.pieces[0].length + GAP_FILL_S)
    assert w.length == pytest.approx(5.0 + 2 * PAD_S + GAP_FILL_S + 3.0 + 2 * PAD_S)
    second = w.pieces[1].at + PAD_S  # where region 3 starts in the window
    s, e, region = w.word_span(second + 1.0, second + 1.4)
    assert region == 2 and s == pytest.approx(41.0) and e == pytest.approx(41.4)
    # a word between regions 1 and 2 (recorded pause, 0.8 s) or in the inserted silence is dropped
    assert w.word_span(4.2 - w.pieces[0].lo, 4.5 - w.pieces[0].lo) is None
    gap_mid = w.pieces[0].length + GAP_FILL_S / 2
    assert w.word_span(gap_mid - 0.1, gap_mid + 0.1) is None
    # a word stretched back over a pause belongs where it ends, clipped to its region
    s, e, region = w.word_span(4.1 - w.pieces[0].lo, 5.3 - w.pieces[0].lo)
    assert region == 1 and s == pytest.approx(4.8) and e == pytest.approx(5.3)


def test_window_audio_places_each_piece_and_silences_the_rest():
    t = np.arange(60 * SAMPLE_RATE) / SAMPLE_RATE
    track = AudioTrack.from_array((np.sin(t) + 2.0).astype(np.float32))  # never zero
    (w,) = plan_windows([SpeechRegion(1.0, 4.0), SpeechRegion(40.0, 43.0)], 60.0)
    audio = w.audio(track)
    assert audio.size == pytest.approx(w.length * SAMPLE_RATE, abs=2)
    a = w.pieces[0]
    b = w.pieces[1]
    gap = audio[int((a.at + a.length) * SAMPLE_RATE) + 2: int(b.at * SAMPLE_RATE) - 2]
    assert gap.size > 0 and not gap.any()
    k = int((b.at + 1.0) * SAMPLE_RATE)
    assert audio[k] == pytest.approx(track.slice(b.lo + 1.0, b.lo + 2.0)[0], abs=1e-3)


class FakeWhisper:
    """Stands in for faster-whisper: each call returns the next scripted list of (start, end, word)
    in window time, as one segment."""

    class model:
        is_multilingual = True

    def __init__(self, script, heard=("en",), logprob=None):
        self.script, self.calls, self.detected = list(script), [], 0
        self.heard, self.logprob = list(heard), list(logprob or [])

    def detect_language(self, audio):
        self.detected += 1
        return (self.heard.pop(0) if len(self.heard) > 1 else self.heard[0]), 0.9, []

    def transcribe(self, audio, **kw):
        from types import SimpleNamespace as NS

        self.calls.append((audio.size / SAMPLE_RATE, kw["language"]))
        lp = self.logprob.pop(0) if self.logprob else -0.2
        segs = []
        for part in self.script.pop(0):  # a list of words, or a list of lists: one segment each
            part = part if isinstance(part, list) else [part]
            # (start, end, word[, probability])
            words = [NS(start=w[0], end=w[1], word=f" {w[2]}", probability=w[3] if len(w) > 3 else 0.9) for w in part]
            segs.append(NS(start=words[0].start, end=words[-1].end, text="".join(w.word for w in words),
                           words=words, avg_logprob=lp, no_speech_prob=0.01, compression_ratio=1.2))
        return iter(segs), NS(language=kw["language"] or "en")


def test_words_go_back_to_their_regions_and_regions_left_after_an_early_stop_are_decoded_again():
    from models.transcribe import transcribe_track

    regions = [SpeechRegion(1.0, 3.0), SpeechRegion(10.0, 12.0), SpeechRegion(20.0, 22.0)]
    track = AudioTrack.from_array(np.zeros(30 * SAMPLE_RATE, np.float32))
    # window 1 holds all three regions (pieces at 0, 2.9 and 5.8 s); Whisper stops after the first
    # region, with one word in the inserted silence. The two regions left become their own window.
    fake = FakeWhisper([[(0.5, 1.0, "hello"), (2.5, 2.7, "ghost")],
                        [(0.5, 0.9, "again"), (3.5, 3.9, "there.")]])
    seen = []
    segments = transcribe_track(fake, track, regions, language=None, on_segment=seen.append)
    # the two wordless regions were checked on their own, heard as English like their window: no
    # window in another language, only the trailing one decoded again
    assert fake.detected == 2 and [lang for _, lang in fake.calls] == [None, None]
    assert [round(d, 1) for d, _ in fake.calls] == [8.2, 5.3]
    assert [(s.text, round(s.start, 2), round(s.end, 2)) for s in segments] == [
        ("hello", 1.3, 1.8), ("again", 10.3, 10.7), ("there.", 20.4, 20.8)]
    assert seen and seen[0] == pytest.approx(0.8)  # called before each window and after each segment


def test_collapsed_words_stay_with_their_line_and_a_region_cut_short_is_decoded_again_alone():
    from models.transcribe import transcribe_track

    regions = [SpeechRegion(1.0, 6.0), SpeechRegion(8.0, 12.0)]
    track = AudioTrack.from_array(np.zeros(14 * SAMPLE_RATE, np.float32))
    # Whisper stops after two words of the first line; its last words collapse onto the segment's
    # end, which lies in the second region. They stay with the first line, which is heard again alone.
    fake = FakeWhisper([[[(0.2, 0.7, "hello"), (0.8, 1.2, "there"), (9.0, 9.0, "and"), (9.0, 9.0, "please")]],
                        [[(0.2, 0.7, "hello"), (0.8, 1.2, "there"), (3.0, 4.5, "general"), (4.6, 5.0, "kenobi")]],
                        [[(0.5, 1.0, "okay"), (1.1, 3.5, "fine")]]])
    segments = transcribe_track(fake, track, regions, language="en")
    assert [round(d, 1) for d, _ in fake.calls] == [10.3, 5.4, 4.4]
    assert [s.text for s in segments] == ["hello there general kenobi", "okay fine"]
    assert segments[0].end == pytest.approx(5.8) and segments[1].start == pytest.approx(8.3)


def test_an_unsure_region_in_another_language_is_decoded_again_in_its_own():
    from models.transcribe import transcribe_track

    regions = [SpeechRegion(1.0, 3.0), SpeechRegion(4.0, 6.0), SpeechRegion(7.0, 9.0)]
    track = AudioTrack.from_array(np.zeros(12 * SAMPLE_RATE, np.float32))
    # one window: English, then a Spanish turn that comes out as unsure English, then English again
    first = [[(0.5, 1.0, "hello")], [(3.6, 4.0, "oi", 0.4), (4.2, 4.5, "almerka", 0.3)], [(6.6, 7.0, "bye")]]
    fake = FakeWhisper([first, [[(0.5, 1.0, "hola")]]], heard=["es"])
    segments = transcribe_track(fake, track, regions, language=None)
    assert [lang for _, lang in fake.calls] == [None, "es"]
    assert [(s.text, s.language) for s in segments] == [("hello", "en"), ("hola", "es"), ("bye", "en")]


# --- the real models ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def base(home):
    from models.transcribe import load_model

    return load_model(None, device="cpu", threads=2)  # the default: Whisper base, assembled under home


@slow
def test_the_real_model_is_assembled_verified_and_repaired(home):
    folder = whisper_cache.whisper_base_dir()
    assert str(folder).startswith(str(home))
    model = folder / "model.bin"
    b = whisper_cache.WHISPER_BASE
    assert file_ok(model, b.size, b.sha256)
    with open(model, "r+b") as fh:  # damage it in place
        fh.seek(b.size // 2)
        fh.write(b"\0" * 64)
    assert not file_ok(model, b.size, b.sha256)
    assert whisper_cache.whisper_base_dir() == folder
    assert file_ok(model, b.size, b.sha256)


@slow
@pytest.mark.parametrize("language", [None, "en"])
def test_jfk_in_windows_is_close_to_its_reference(base, shared_data, language):
    from models.transcribe import transcribe

    audio = decode_audio(shared_data / "audio" / "jfk.flac")
    regions = speech_regions(audio)
    assert len(regions) >= 2  # pauses split it: the window carries them together
    segments = transcribe(base, audio, regions, language=language, beam_size=5)
    text = " ".join(s.text for s in segments)
    assert wer(JFK, text) <= 0.10, text
    for s in segments:  # every segment inside a speech region: moment windows stay tight
        assert any(r.start - 1e-6 <= s.start <= s.end <= r.end + 1e-6 for r in regions), s
    assert segments[0].start < 1.0 and 9.0 < segments[-1].end <= 11.2


@slow
def test_no_words_in_a_noise_region_between_speech(base):
    """A region VAD would wrongly hand over (hum and noise) between two spoken lines gets no words."""
    from models.transcribe import transcribe
    from sideload.demo.sampleday import VOICES, speak

    rng = np.random.default_rng(5)
    one = speak("The parcel arrived this morning while I was out.", VOICES["owner"])
    two = speak("I picked it up from the neighbour before lunch.", VOICES["partner"])
    n = 4 * SAMPLE_RATE
    hum = (0.2 * np.sin(2 * np.pi * 50 * np.arange(n) / SAMPLE_RATE) + rng.standard_normal(n) * 0.05)
    gap = np.zeros(SAMPLE_RATE * 2, np.float32)
    audio = np.concatenate([gap, one, gap, hum.astype(np.float32), gap, two, gap]).astype(np.float32)
    t1 = 2.0 + one.size / SAMPLE_RATE
    noise = SpeechRegion(t1 + 2.0, t1 + 6.0)
    regions = [SpeechRegion(1.8, t1 + 0.2), noise, SpeechRegion(t1 + 7.8, t1 + 8.2 + two.size / SAMPLE_RATE)]
    assert len(plan_windows(regions, audio.size / SAMPLE_RATE)) == 1
    segments = transcribe(base, audio, regions, language="en")
    text = " ".join(s.text for s in segments).lower()
    assert "parcel" in text and "lunch" in text, text
    assert not [s for s in segments if s.end > noise.start and s.start < noise.end], segments


@slow
def test_tiny_en_stays_available_and_a_cancel_stops_it(shared_data):
    from models.transcribe import load_model, transcribe

    tiny = load_model(None, device="cpu", threads=2, bundled="tiny.en")
    assert not tiny.model.is_multilingual
    audio = decode_audio(shared_data / "audio" / "jfk.flac")
    regions = speech_regions(audio)
    assert wer(JFK, " ".join(s.text for s in transcribe(tiny, audio, regions, language=None))) <= 0.10

    class Stop(Exception):
        pass

    seen = []

    def on_segment(t):
        seen.append(t)
        if len(seen) > 1:
            raise Stop

    with pytest.raises(Stop):
        transcribe(tiny, audio, regions, on_segment=on_segment)
    assert len(seen) == 2
