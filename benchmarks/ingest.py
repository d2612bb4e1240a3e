"""Ingest benchmark: generated first-person footage through the whole import pipeline.

Prints the real-time factor (processing seconds per second of footage; lower is faster) of the
whole pipeline and of each stage, and peak RSS, beside a naive baseline run in the same process:
decode every frame for keyframes, and transcribe all the audio without VAD.
Target on 2 cores: the whole pipeline at least 10x faster than real time (RTF <= 0.1), peak RSS
at most 3 GB.

    .venv/bin/python benchmarks/ingest.py [--minutes 10] [--segments 2] [--keep DIR]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sideload.demo import sampleday  # noqa: E402
from sideload.demo.sampleday import Line  # noqa: E402

SENTENCES = [
    ("owner", "I left the car keys on the hook by the front door."),
    ("partner", "Can you pick up some milk and eggs on the way home?"),
    ("owner", "The meeting with the architects moved to Thursday at three."),
    ("colleague", "We need the slides for the client presentation by tomorrow noon."),
    ("owner", "Remind me to call my mother about her birthday dinner."),
    ("dentist", "Please come back in six months for the next check up."),
    ("owner", "I think the blue jacket looks better than the grey one."),
    ("partner", "The plumber said he would come on Saturday morning."),
    ("owner", "Let us take the train to the coast next weekend."),
    ("colleague", "The server upgrade went fine, but the backup job failed twice."),
]
SCENES = ["testsrc2", "smptehdbars", "cellauto", "rgbtestsrc", "color=0x556b2f", "life", "color=0x8b4513"]


def footage_in(folder: Path, minutes: float, segments: int) -> list[Path]:
    """The clips kept in `folder` from an earlier run (--keep), else newly generated there."""
    files = sorted(folder.glob("*.mp4")) if folder.exists() else []
    if not files:
        t = time.perf_counter()
        files = make_footage(folder, minutes, segments)
        print(f"generated {len(files)} clips ({minutes:g} min, 1280x720, 30 fps) in {time.perf_counter() - t:.0f} s",
              file=sys.stderr)
    return files


def make_footage(folder: Path, minutes: float, segments: int, speech_share: float = 0.3) -> list[Path]:
    """Body-camera style segments at 1280x720, 30 fps, 1 s key-frame interval, several voices."""
    seg_s = minutes * 60 / segments
    rng = np.random.default_rng(42)
    files = []
    for k in range(segments):
        lines, t, spoken = [], 2.0, 0.0
        while t < seg_s - 8:
            who, text = SENTENCES[int(rng.integers(len(SENTENCES)))]
            lines.append(Line(who, text, t))
            dur = 3.5  # espeak at 150 wpm: these sentences last about 3 to 4 s
            spoken += dur
            t += dur / speech_share * float(rng.uniform(0.7, 1.3))
        audio, _ = sampleday.soundtrack(lines, seg_s, noise=0.004, seed=k)
        scenes, left, i = [], seg_s, k
        while left > 0:
            d = min(left, float(rng.uniform(25, 70)))
            scenes.append((SCENES[i % len(SCENES)], round(d, 2)))
            left -= d
            i += 1
        name = f"2026030{k % 9 + 1}_0{7 + k % 3}0000.mp4"
        files.append(sampleday.make_video(folder / name, scenes, audio, size="1280x720", fps=30, gop_s=1.0))
    return files


class PeakRSS:
    """Peak resident memory of this process and its children (ffmpeg), sampled."""

    def __init__(self, every_s: float = 0.1):
        self.every = every_s
        self.peak = 0
        self._stop = threading.Event()
        self._proc = psutil.Process()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                total = self._proc.memory_info().rss + sum(c.memory_info().rss for c in self._proc.children(recursive=True))
            except psutil.Error:
                total = 0
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)

    def __enter__(self) -> "PeakRSS":
        self._t = threading.Thread(target=self._sample, daemon=True)
        self._t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._t.join()


def run_pipeline(files: list[Path], vault_dir: Path, whisper: str = "base", objects: bool = True):
    from sideload.context import AppContext
    from sideload.jobs import JobContext

    context = AppContext(vault_dir)
    with context.init() as vault:
        vault.settings.set("whisper_bundled", whisper)
        vault.settings.set("frame_objects", objects)
        hub = context.hub(vault.settings)
        # load the engines first: a long-lived app pays this once, not per hour of footage
        t = time.perf_counter()
        _ = hub.whisper, hub.voice, hub.embedder, hub.frames
        load_s = time.perf_counter() - t
        with PeakRSS() as rss:
            t = time.perf_counter()
            session = context.import_session(vault, JobContext())
            result = session.run(files)
            wall = time.perf_counter() - t
        return result, wall, load_s, rss.peak, hub


def run_baseline(files: list[Path], hub) -> dict[str, float]:
    """The naive way: every frame decoded and compared; all audio through Whisper, no VAD."""
    from lifelog_import.probe import probe
    from models.audio import decode_audio
    from models.frames import all_frames, pick_keyframes

    decode_all = transcribe_all = 0.0
    for f in files:
        info = probe(f)
        t = time.perf_counter()
        pick_keyframes(all_frames(f, 1280, 720), duration=info.duration, min_gap=3, max_gap=60, threshold=0.12)
        decode_all += time.perf_counter() - t
        audio = decode_audio(f)
        t = time.perf_counter()
        with hub.heavy:
            segments, _ = hub.whisper.transcribe(audio, language="en", beam_size=1, vad_filter=False,
                                                 condition_on_previous_text=False, temperature=0.0)
            list(segments)
        transcribe_all += time.perf_counter() - t
    return {"keyframes": decode_all, "transcription": transcribe_all}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--segments", type=int, default=2)
    ap.add_argument("--keep", type=Path, help="keep the generated footage here (and reuse it next time)")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--no-previous", action="store_true",
                    help="skip the run with the previous defaults (Whisper tiny.en, no ImageNet labels)")
    args = ap.parse_args()
    os.environ.setdefault("SIDELOAD_HOME", tempfile.mkdtemp(prefix="sideload-bench-home-"))

    work = Path(tempfile.mkdtemp(prefix="sideload-bench-"))
    footage = args.keep or work / "footage"
    try:
        files = footage_in(footage, args.minutes, args.segments)
        previous = None if args.no_previous else run_pipeline(files, work / "vault-previous", "tiny.en", objects=False)
        result, wall, load_s, peak, hub = run_pipeline(files, work / "vault")
        media = result.media_seconds
        base = {} if args.no_baseline else run_baseline(files, hub)

        print(f"\nIngest benchmark: {media / 60:.1f} min of footage, {len(files)} files, {os.cpu_count()} cores, "
              f"device {hub.device}")
        print(f"moments: {result.moments}  (model loading, once per process: {load_s:.1f} s, not counted)\n")
        print(f"{'stage':<20}{'seconds':>9}{'RTF':>9}{'naive s':>10}{'naive RTF':>11}")
        naive_total = 0.0
        for name, secs in result.timings.items():
            naive = base.get(name, secs)
            naive_total += naive
            mark = f"{naive:>10.1f}{naive / media:>11.4f}" if name in base else f"{'(same)':>10}{'':>11}"
            print(f"{name:<20}{secs:>9.1f}{secs / media:>9.4f}{mark}")
        other = wall - sum(result.timings.values())
        print(f"{'store+index+other':<20}{other:>9.1f}{other / media:>9.4f}")
        naive_total += other
        print(f"{'WHOLE PIPELINE':<20}{wall:>9.1f}{wall / media:>9.4f}"
              + (f"{naive_total:>10.1f}{naive_total / media:>11.4f}" if base else ""))
        print(f"\nspeed: {media / wall:.1f}x real time (target >= 10x)"
              + (f"; naive baseline {media / naive_total:.1f}x" if base else ""))
        print(f"an hour of footage would take {wall / media * 60:.1f} min (target <= 6 min)")
        print(f"peak RSS during the pipeline (with ffmpeg children): {peak / 2**30:.2f} GB (target <= 3 GB)")
        if previous is not None:
            p_result, p_wall, _, p_peak, _ = previous
            print("\nBeside the previous defaults (Whisper tiny.en, no ImageNet labels), same footage, same run:")
            print(f"{'stage':<20}{'base s':>9}{'tiny.en s':>11}")
            for name, secs in result.timings.items():
                print(f"{name:<20}{secs:>9.1f}{p_result.timings.get(name, 0.0):>11.1f}")
            print(f"{'WHOLE PIPELINE':<20}{wall:>9.1f}{p_wall:>11.1f}")
            print(f"speed: base {media / wall:.1f}x real time, tiny.en {media / p_wall:.1f}x; "
                  f"peak RSS base {peak / 2**30:.2f} GB, tiny.en {p_peak / 2**30:.2f} GB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
