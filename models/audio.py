"""Decoding media to 16 kHz mono float32 with ffmpeg, and the voice-activity stage."""
from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000


class DecodeError(Exception):
    pass


def decode_audio(path: Path) -> np.ndarray:
    """The whole audio track as float32 mono 16 kHz, in memory (an hour is about 230 MB)."""
    track = AudioTrack.decode(path, in_memory_max_s=None)
    return track.slice(0, track.duration)


IN_MEMORY_MAX_S = 30 * 60  # longer tracks (a day-long pendant recording) spill to a temporary file
VAD_WINDOW_S = 600.0
VAD_OVERLAP_S = 15.0


class AudioTrack:
    """A decoded audio track, 16 kHz mono float32: in memory when short, in a raw temporary file
    when long, so that a sixteen-hour recording costs slices, not 3.7 GB of memory."""

    def __init__(self, samples: np.ndarray | None = None, file: Path | None = None, n: int = 0):
        self._samples = samples
        self._file = file
        self.n = int(samples.size) if samples is not None else n

    @classmethod
    def from_array(cls, samples: np.ndarray) -> "AudioTrack":
        return cls(samples=np.asarray(samples, np.float32))

    @classmethod
    def decode(cls, path: Path, *, tmp_dir: Path | None = None,
               in_memory_max_s: float | None = IN_MEMORY_MAX_S) -> "AudioTrack":
        """None for in_memory_max_s keeps every track in memory."""
        cmd = ["ffmpeg", "-nostdin", "-v", "error", "-threads", "1", "-i", str(path),
               "-vn", "-sn", "-dn", "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "f32le", "-"]
        limit = int(in_memory_max_s * SAMPLE_RATE * 4) if in_memory_max_s is not None else None
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        chunks: list[bytes] = []
        size = 0
        spill = None
        spill_path = None
        try:
            assert proc.stdout is not None
            while block := proc.stdout.read(1 << 20):
                size += len(block)
                if spill is not None:
                    spill.write(block)
                    continue
                chunks.append(block)
                if limit is not None and size > limit:
                    if tmp_dir is not None:
                        tmp_dir.mkdir(parents=True, exist_ok=True)
                    fd, name = tempfile.mkstemp(prefix="audio-", suffix=".f32", dir=tmp_dir)
                    spill_path = Path(name)
                    spill = os.fdopen(fd, "wb")
                    for c in chunks:
                        spill.write(c)
                    chunks = []
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            proc.wait()
        finally:
            if spill is not None:
                spill.close()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()
        if proc.returncode != 0:
            if spill_path:
                spill_path.unlink(missing_ok=True)
            lines = err.strip().splitlines()
            raise DecodeError(lines[-1] if lines else f"ffmpeg exited with {proc.returncode}")
        if spill_path is not None:
            return cls(file=spill_path, n=size // 4)
        return cls(samples=np.frombuffer(b"".join(chunks), np.float32).copy())

    @property
    def duration(self) -> float:
        return self.n / SAMPLE_RATE

    @property
    def in_memory(self) -> bool:
        return self._samples is not None

    def slice(self, start_s: float, end_s: float) -> np.ndarray:
        a = max(0, int(start_s * SAMPLE_RATE))
        b = min(self.n, int(end_s * SAMPLE_RATE))
        if b <= a:
            return np.zeros(0, np.float32)
        if self._samples is not None:
            return self._samples[a:b]
        return np.fromfile(self._file, dtype=np.float32, count=b - a, offset=a * 4)

    def close(self) -> None:
        self._samples = None
        if self._file is not None:
            self._file.unlink(missing_ok=True)
            self._file = None


def track_speech_regions(track: AudioTrack, **kw) -> list[SpeechRegion]:
    """VAD over a track of any length, in overlapping windows; regions cut by a window edge are joined."""
    if track.duration <= VAD_WINDOW_S + VAD_OVERLAP_S:
        return speech_regions(track.slice(0, track.duration), **kw)
    found: list[SpeechRegion] = []
    start = 0.0
    while start < track.duration:
        end = min(track.duration, start + VAD_WINDOW_S + VAD_OVERLAP_S)
        for r in speech_regions(track.slice(start, end), **kw):
            found.append(SpeechRegion(r.start + start, r.end + start))
        start += VAD_WINDOW_S
    found.sort(key=lambda r: r.start)
    merged: list[SpeechRegion] = []
    for r in found:
        if merged and r.start <= merged[-1].end + 0.3:
            merged[-1] = SpeechRegion(merged[-1].start, max(merged[-1].end, r.end))
        else:
            merged.append(r)
    return merged


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
