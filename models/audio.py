"""Decoding media to 16 kHz mono float32 with ffmpeg, and the voice-activity stage."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000


class DecodeError(Exception):
    pass


def decode_audio(path: Path, *, stream: int | None = None) -> np.ndarray:
    """The whole audio track as float32 mono 16 kHz (an hour is about 230 MB)."""
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-threads", "1", "-i", str(path)]
    if stream is not None:
        cmd += ["-map", f"0:a:{stream}"]
    cmd += ["-vn", "-sn", "-dn", "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "f32le", "-"]
    proc = subprocess.run(cmd, capture_output=True)
    if proc.returncode != 0:
        msg = proc.stderr.decode(errors="replace").strip().splitlines()
        raise DecodeError(msg[-1] if msg else f"ffmpeg exited with {proc.returncode}")
    return np.frombuffer(proc.stdout, dtype=np.float32).copy()


@dataclass(frozen=True)
class SpeechRegion:
    start: float  # seconds
    end: float


def speech_regions(audio: np.ndarray, *, threshold: float = 0.5, min_silence_ms: int = 700,
                   min_speech_ms: int = 250) -> list[SpeechRegion]:
    """Silero VAD (shipped inside faster-whisper): where someone is speaking, if anywhere."""
    if audio.size < SAMPLE_RATE // 4:
        return []
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    opts = VadOptions(threshold=threshold, min_silence_duration_ms=min_silence_ms,
                      min_speech_duration_ms=min_speech_ms, speech_pad_ms=200)
    chunks = get_speech_timestamps(audio, opts)
    return [SpeechRegion(c["start"] / SAMPLE_RATE, c["end"] / SAMPLE_RATE) for c in chunks]


def rms_db(audio: np.ndarray) -> float:
    if audio.size == 0:
        return -120.0
    return float(20 * np.log10(np.sqrt(np.mean(np.square(audio, dtype=np.float64))) + 1e-9))
