"""Speech regions gathered into windows of about Whisper's own 30 seconds, and back again.

Neighbouring VAD regions are decoded together so Whisper hears each one with its context (a region
alone is often half a sentence). A window holds whole regions, each with a little padding; a short
pause between two regions is kept as recorded, a longer one is cut down to a short silence, so a
window carries speech, not the room. Whisper's word timestamps are in the window's own time; a
window maps them back to the file's time and to the region each word belongs to. A word that lands
in no region (in a pause, or in the padding) is dropped: no words are made of silence or noise.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .audio import SAMPLE_RATE, AudioTrack, SpeechRegion

WINDOW_S = 28.0  # the most audio one window holds (Whisper decodes 30 s at a time)
PAD_S = 0.2  # recorded audio kept on each side of a region, beyond the VAD's own padding
KEEP_GAP_S = 1.0  # a pause up to this long (between padded regions) stays as recorded
GAP_FILL_S = 0.5  # a longer pause becomes this much silence
WORD_SLACK_S = 0.25  # a word's anchor may lie this far outside its region (timestamps are rough)
ANCHOR_BEFORE_END_S = 0.15  # where a word is placed: this long before its end (or its start)
MIN_REGION_S = 0.2  # shorter regions are not speech worth a word


@dataclass(frozen=True)
class Piece:
    """A stretch of the recording, [lo, hi) in the file's seconds, placed at `at` in the window."""

    lo: float
    hi: float
    at: float

    @property
    def length(self) -> float:
        return self.hi - self.lo


@dataclass
class Window:
    regions: list[SpeechRegion]
    pieces: list[Piece] = field(default_factory=list)
    language: str | None = None  # set when the window is decoded again in a language found for its regions

    @property
    def length(self) -> float:
        last = self.pieces[-1]
        return last.at + last.length

    @property
    def start(self) -> float:
        return self.pieces[0].lo

    def audio(self, track: AudioTrack) -> np.ndarray:
        """The window's audio: its pieces, each at its place, silence between them."""
        out = np.zeros(int(round(self.length * SAMPLE_RATE)) + 1, np.float32)
        for p in self.pieces:
            chunk = track.slice(p.lo, p.hi)
            a = int(round(p.at * SAMPLE_RATE))
            n = min(chunk.size, out.size - a)
            out[a:a + n] = chunk[:n]
        return out

    def piece_at(self, t: float) -> Piece:
        """The piece at window time t, or the nearest one when t lies in an inserted silence."""
        return min(self.pieces, key=lambda p: max(p.at - t, t - (p.at + p.length), 0.0))

    def to_file_time(self, t: float, piece: Piece | None = None) -> float:
        p = piece or self.piece_at(t)
        return p.lo + min(max(t - p.at, 0.0), p.length)

    def word_span(self, start: float, end: float) -> tuple[float, float, int] | None:
        """A word's (start, end) in window time -> (start, end) in file time and the index of its
        region in this window; None when it lies in no region.

        The word is placed by a point just before its end: Whisper's word timestamps (attention
        alignment) often stretch the first word after a pause back over the pause, while its end
        stays close to the truth. Its span is then clipped to its region."""
        anchor = max(start, end - ANCHOR_BEFORE_END_S)
        piece = self.piece_at(anchor)
        s, e = (self.to_file_time(x, piece) for x in (start, end))
        a = piece.lo + anchor - piece.at  # not clipped: in an inserted silence it lies beyond the piece
        best, best_d = None, WORD_SLACK_S
        for i, r in enumerate(self.regions):
            d = max(r.start - a, a - r.end, 0.0)
            if d <= best_d:
                best, best_d = i, d
        if best is None:
            return None
        r = self.regions[best]
        s, e = max(s, r.start), min(e, r.end)
        return float(s), float(max(s, e)), best


def _pieces(regions: list[SpeechRegion], duration: float) -> list[Piece]:
    pieces: list[Piece] = []
    at = 0.0
    lo, hi = max(0.0, regions[0].start - PAD_S), min(duration, regions[0].end + PAD_S)
    for r in regions[1:]:
        nlo, nhi = max(0.0, r.start - PAD_S), min(duration, r.end + PAD_S)
        if nlo - hi <= KEEP_GAP_S:
            hi = max(hi, nhi)
            continue
        pieces.append(Piece(lo, hi, at))
        at += hi - lo + GAP_FILL_S
        lo, hi = nlo, nhi
    pieces.append(Piece(lo, hi, at))
    return pieces


def plan_windows(regions: list[SpeechRegion], duration: float, window_s: float = WINDOW_S,
                 language: str | None = None) -> list[Window]:
    """Consecutive regions gathered greedily into windows of at most `window_s` seconds of audio;
    a region longer than that is a window of its own (Whisper walks through it 30 s at a time)."""
    regions = sorted((r for r in regions if r.end - r.start >= MIN_REGION_S), key=lambda r: r.start)
    windows: list[Window] = []
    current: Window | None = None
    for r in regions:
        if current is not None:
            pieces = _pieces([*current.regions, r], duration)
            if pieces[-1].at + pieces[-1].length <= window_s:
                current = Window([*current.regions, r], pieces)
                continue
            windows.append(current)
        current = Window([r], _pieces([r], duration))
    if current is not None:
        windows.append(current)
    for w in windows:
        w.language = language
    return windows
