"""Transcription benchmark: word error rate and speed of the pipeline's transcription, side by side.

Rows, each on the same audio:
  pipeline base      VAD, then regions gathered into ~30 s windows (what import runs), Whisper base
  whole-file base    the same model over the whole file with faster-whisper's own VAD filter
  pipeline tiny.en   the pipeline with the faster, English-only tiny.en
  regions alone base each VAD region decoded as its own clip (how transcription worked before)
Audio: (a) generated speech, several espeak-ng voices with pauses of different lengths, some
sentences broken by a pause, and a burst of noise with no speech at all; (b) the real recordings in
shared/data/audio that have an exact transcript (jfk.flac; the two channels of
stereo_diarization.wav, each on its own).
WER: lower case, punctuation stripped, Levenshtein distance over words / reference words.
s/file is wall time (VAD included); RTF is that over the audio's duration (lower is faster).
Targets: pipeline WER <= 0.10 on the generated speech and not worse than the whole-file run;
jfk.flac <= 0.10.

    .venv/bin/python benchmarks/transcribe.py [--minutes 3] [--beam 5] [--threads 2] [--only generated|real]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.audio import SAMPLE_RATE, AudioTrack, track_speech_regions  # noqa: E402
from models.transcribe import load_model, transcribe_track  # noqa: E402
from models.wer import wer  # noqa: E402
from sideload.settings import defaults  # noqa: E402

AUDIO = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "audio"

# (voice, text, pause after in seconds); a None voice continues the previous speaker after the pause
LINES = [
    ("owner", "The bakery on the corner opens early on weekdays.", 2.5),
    ("partner", "Did you remember to water the plants on the balcony?", 1.0),
    ("owner", "Yes, and I moved the lemon tree closer to the window.", 4.0),
    ("colleague", "The quarterly report still needs a summary of the survey results.", 1.5),
    ("owner", "I can write that tonight,", 1.2),
    (None, "after I finish reading the contract.", 3.0),
    ("dentist", "Open a little wider and tell me if anything feels sore.", 0.8),
    ("owner", "The left side has been aching since last week.", 6.0),
    ("partner", "We should book the cabin by the lake before the summer rush.", 1.0),
    ("owner", "My sister wants to come along with her two children.", 2.0),
    ("colleague", "The printer on the second floor is jammed again.", 1.3),
    (None, "Somebody left a stack of envelopes inside the tray.", 5.0),
    ("owner", "I finally fixed the squeaky hinge on the garden gate.", 1.0),
    ("partner", "Great, now the neighbors will stop complaining about it.", 2.2),
    ("dentist", "Rinse your mouth and we will look at the x ray together.", 3.5),
    ("owner", "The train was delayed because of a broken signal near the bridge.", 0.9),
    ("colleague", "Let us move the team lunch to the Italian place across the street.", 1.6),
    ("owner", "I would rather sit outside if the weather stays warm.", 7.0),
    ("partner", "The washing machine makes a strange noise when it spins.", 1.1),
    ("owner", "Maybe a coin got stuck in the drum again.", 2.8),
    ("colleague", "Please send me the draft before you leave the office.", 1.4),
    (None, "I want to check the numbers in the second table.", 3.0),
    ("owner", "My grandmother taught me how to bake bread without a recipe.", 1.0),
    ("dentist", "You should floss every evening, especially around the back teeth.", 4.5),
    ("owner", "The library closes at noon on Saturdays during the holidays.", 1.2),
    ("partner", "I found your reading glasses under the sofa cushion.", 2.0),
    ("owner", "Thank you, I have been looking for them all morning.", 1.0),
]
NOISE_BURST_S = 6.0  # loud noise and hum, no speech, placed in the longest pause



def generated_speech(minutes: float) -> tuple[np.ndarray, str]:
    """Sentences with pauses, several voices, over room noise; repeated with other voices to fill."""
    from sideload.demo.sampleday import VOICES, speak

    rng = np.random.default_rng(3)
    voices = list(VOICES)
    parts, spoken = [np.zeros(SAMPLE_RATE, np.float32)], []
    longest = (0.0, 0)
    rounds = 0
    while sum(p.size for p in parts) < minutes * 60 * SAMPLE_RATE:
        who = None
        for voice, text, pause in LINES:
            who = who if voice is None else voices[(voices.index(voice) + rounds) % len(voices)]
            parts.append(speak(text, VOICES[who]) * 0.8)
            spoken.append(text)
            if pause > longest[0]:
                longest = (pause, len(parts))
            parts.append(np.zeros(int(pause * SAMPLE_RATE), np.float32))
            if sum(p.size for p in parts) >= minutes * 60 * SAMPLE_RATE:
                break
        rounds += 1
    # the longest pause gets a burst of noise and mains hum: nothing in it may become words
    n = int(NOISE_BURST_S * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    parts.insert(longest[1], (0.15 * np.sin(2 * np.pi * 50 * t) + rng.standard_normal(n) * 0.03).astype(np.float32))
    audio = np.concatenate(parts)
    audio = audio + (rng.standard_normal(audio.size) * 0.003).astype(np.float32)
    return np.clip(audio, -1, 1).astype(np.float32), " ".join(spoken)


def decode(path: Path, channel: int | None = None) -> np.ndarray:
    pan = [] if channel is None else ["-af", f"pan=mono|c0=c{channel}"]
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), *pan, "-ac", "1", "-ar", str(SAMPLE_RATE),
           "-f", "f32le", "-"]
    return np.frombuffer(subprocess.run(cmd, check=True, capture_output=True).stdout, np.float32).copy()


def real_recordings() -> list[tuple[str, np.ndarray, str]]:
    if not AUDIO.is_dir():
        print(f"(no real recordings: {AUDIO} is missing)")
        return []
    jfk = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."
    left = "He began a confused complaint against the wizard, who had vanished behind the curtain on the left."
    right = "The horizon seems extremely distant."
    stereo = AUDIO / "stereo_diarization.wav"
    return [("jfk.flac", decode(AUDIO / "jfk.flac"), jfk),
            ("stereo_diarization.wav left", decode(stereo, 0), left),
            ("stereo_diarization.wav right", decode(stereo, 1), right)]


def run_pipeline(model, audio, language, beam):
    track = AudioTrack.from_array(audio)
    regions = track_speech_regions(track)
    return " ".join(s.text for s in transcribe_track(model, track, regions, language=language, beam_size=beam))


def run_whole_file(model, audio, language, beam):
    segments, _ = model.transcribe(audio, language=language, beam_size=beam, vad_filter=True,
                                   condition_on_previous_text=False, temperature=0.0)
    return " ".join(s.text.strip() for s in segments)


def run_regions_alone(model, audio, language, beam):
    """Before: each VAD region its own clip (faster-whisper's clip_timestamps)."""
    regions = [r for r in track_speech_regions(AudioTrack.from_array(audio)) if r.end - r.start >= 0.2]
    if not regions:
        return ""
    if not model.model.is_multilingual:
        language = "en"
    clips = [round(x, 3) for r in regions for x in (r.start, r.end)]
    segments, _ = model.transcribe(audio, language=language, beam_size=beam, vad_filter=False, clip_timestamps=clips,
                                   condition_on_previous_text=False, temperature=0.0)
    return " ".join(s.text.strip() for s in segments)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=3.0, help="length of the generated speech")
    ap.add_argument("--beam", type=int, default=int(defaults()["whisper_beam_size"]))
    ap.add_argument("--threads", type=int, default=int(defaults()["threads"]))
    ap.add_argument("--only", choices=("generated", "real"))
    ap.add_argument("--show", action="store_true", help="print every transcript")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    language = defaults()["whisper_language"] or None
    with tempfile.TemporaryDirectory() as home:
        os.environ.setdefault("SIDELOAD_HOME", home)  # the assembled base model goes to a scratch cache
        base = load_model(None, device="cpu", threads=args.threads, bundled="base")
        tiny = load_model(None, device="cpu", threads=args.threads, bundled="tiny.en")
        files: list[tuple[str, np.ndarray, str]] = []
        if args.only != "real":
            audio, ref = generated_speech(args.minutes)
            files.append((f"generated speech ({audio.size / SAMPLE_RATE / 60:.1f} min)", audio, ref))
        if args.only != "generated":
            files += real_recordings()
        rows = [("pipeline base", base, run_pipeline), ("whole-file base", base, run_whole_file),
                ("pipeline tiny.en", tiny, run_pipeline), ("regions alone base", base, run_regions_alone)]
        print(f"beam {args.beam}, {args.threads} threads, language {language or 'detected'}")
        print(f"{'audio':<34} {'run':<20} {'WER':>6} {'s/file':>7} {'RTF':>6}")
        for name, audio, ref in files:
            seconds = audio.size / SAMPLE_RATE
            for label, model, fn in rows:
                t0 = time.perf_counter()
                text = fn(model, audio, language, args.beam)
                took = time.perf_counter() - t0
                print(f"{name:<34} {label:<20} {wer(ref, text):6.3f} {took:7.1f} {took / seconds:6.3f}", flush=True)
                if args.show:
                    print(f"    {text}")


if __name__ == "__main__":
    main()
