"""Search quality harness: a generated lifelog of several days with known facts spoken in several
voices, and paraphrased questions that rarely repeat the words that were said.

A hit is the right source with a window of 30 s or less overlapping the spoken answer. Prints
Recall@1, Recall@5 and MRR for the hybrid ranking beside dense-only and keyword-only, in one run.
Target: hybrid Recall@1 >= 0.8 and Recall@5 >= 0.95.

    .venv/bin/python benchmarks/search_quality.py [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sideload.demo import sampleday  # noqa: E402
from sideload.demo.sampleday import Line  # noqa: E402

EXTRA_VOICES = {"doctor": "en+m7", "friend": "en-us+m3", "vet": "en+klatt2", "mechanic": "en-us+m1"}

# (day, clip name, [(who, text, question or None)]); the question paraphrases the line it belongs to
DAYS = [
    ("2026-03-09", "20260309_081000.mp4", [
        ("owner", "I hid the spare house key under the blue flower pot by the back door.", "where is the extra key to get into the house?"),
        ("partner", "The car wash on the corner is closed for repairs this week.", None),
        ("partner", "My mother lands at Gatwick at seven in the evening on Friday.", "what time does mum's flight arrive?"),
    ]),
    ("2026-03-09", "2026-03-09_14-30-00.m4a", [
        ("colleague", "The budget review with finance has moved to Thursday at four.", "when is the meeting about money with accounting?"),
        ("owner", "I will prepare the slides about the sales figures tonight.", None),
        ("colleague", "The wifi password for the office guest network is sunflower twenty two.", "what's the internet code at work?"),
    ]),
    ("2026-03-10", "20260310_091500.mp4", [
        ("dentist", "You need a crown on the upper right tooth, we will do it in two weeks.", "what treatment does my tooth need?"),
        ("owner", "Could I have the appointment early in the morning, before work?", None),
    ]),
    ("2026-03-10", "20260310_173000.mp4", [
        ("owner", "I parked the car on level three of the shopping centre garage, near the lifts.", "where did I leave the vehicle?"),
        ("friend", "The concert tickets are for the twelfth of May at the Royal Albert Hall.", "which date is the music show?"),
        ("owner", "The key lime pie at that cafe was lovely.", None),
    ]),
    ("2026-03-11", "2026-03-11_10-00-00.m4a", [
        ("doctor", "Take one tablet of the antibiotic twice a day for seven days.", "how often should I take the medicine?"),
        ("owner", "I lent my ladder to our neighbour Peter last weekend.", "who borrowed my ladder?"),
    ]),
    ("2026-03-11", "20260311_190000.mp4", [
        ("partner", "The plumber will come on Tuesday morning to fix the leaking boiler.", "when is someone coming to repair the heating?"),
        ("owner", "My passport expires in June, so I must renew it before the holiday.", "when does my travel document run out?"),
        ("partner", "We are out of olive oil and washing up liquid.", "what do we need to buy from the shop?"),
    ]),
    ("2026-03-12", "20260312_120000.mp4", [
        ("owner", "I promised to bake a chocolate cake for Emma's birthday party.", "what did I say I would make for the celebration?"),
        ("vet", "Your dog should lose two kilos, so feed him less in the evening.", "what did the vet say about my pet's weight?"),
        ("colleague", "Our new project manager is called Priya, and she starts next month.", "who is going to lead the project?"),
    ]),
    ("2026-03-12", "20260312_210000.mp4", [
        ("owner", "I left my reading glasses in the glovebox of the car.", "where are my spectacles?"),
        ("mechanic", "The brake pads are worn out, you should replace them within a month.", "what's wrong with the car's stopping?"),
        ("owner", "The weather was cold and windy all afternoon.", None),
    ]),
]


def build(out: Path) -> list[dict]:
    """Write the lifelog; return the questions with where their answers were spoken."""
    sampleday.VOICES.update(EXTRA_VOICES)
    out.mkdir(parents=True, exist_ok=True)
    questions = []
    scenes = ["testsrc2", "smptebars", "cellauto", "rgbtestsrc"]
    for n, (day, name, lines) in enumerate(DAYS):
        placed, t = [], 1.5
        for who, text, _ in lines:
            placed.append(Line(who, text, t))
            t += 3.2 + len(text) / 14.0  # espeak at 150 wpm, then a pause
        duration = t + 3
        audio, spoken = sampleday.soundtrack(placed, duration, seed=n)
        path = out / day / name
        if name.endswith(".m4a"):
            sampleday.make_audio(path, audio)
        else:
            sampleday.make_video(path, [(scenes[n % 4], duration)], audio, size="320x240")
        for (who, text, q), s in zip(lines, spoken):
            if q:
                questions.append({"question": q, "source": str(path), "start": s.start, "end": s.end, "day": day})
    (out / ".questions.json").write_text(json.dumps(questions, indent=1))
    return questions


def evaluate(searcher, vault_days: list[str], questions: list[dict], mode: str) -> dict:
    from sideload.recall.search import build_request

    r1 = r5 = rr = 0.0
    misses = []
    for q in questions:
        req = build_request(vault_days, q["question"], limit=5, mode=mode)
        results = searcher.search(req)
        rank = None
        for i, m in enumerate(results):
            window = m["end_s"] - m["start_s"]
            if m["source"] == q["source"] and window <= 30 and m["start_s"] < q["end"] and m["end_s"] > q["start"]:
                rank = i + 1
                break
        r1 += rank == 1
        r5 += rank is not None
        rr += 1.0 / rank if rank else 0.0
        if rank != 1:
            misses.append((q["question"], rank))
    n = len(questions)
    return {"recall@1": r1 / n, "recall@5": r5 / n, "mrr": rr / n, "misses": misses}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keep", type=Path, help="keep the generated lifelog and vault here (reused next time)")
    ap.add_argument("--show-misses", action="store_true")
    ap.add_argument("--whisper", choices=("base", "tiny.en"), default="base",
                    help="the shipped Whisper model that transcribes the lifelog (tiny.en: the first milestone's)")
    args = ap.parse_args()
    os.environ.setdefault("SIDELOAD_HOME", tempfile.mkdtemp(prefix="sideload-bench-home-"))
    from sideload.context import AppContext
    from sideload.jobs import JobContext

    work = args.keep or Path(tempfile.mkdtemp(prefix="sideload-searchq-"))
    life, vault_dir = work / "lifelog", work / "vault"
    try:
        qfile = life / ".questions.json"
        questions = json.loads(qfile.read_text()) if qfile.exists() else build(life)
        if not vault_dir.exists():
            t = time.perf_counter()
            builder = AppContext(vault_dir)
            with builder.init() as vault:
                vault.settings.set("whisper_bundled", args.whisper)
                res = builder.import_session(vault, JobContext()).run([life])
            builder.close()
            print(f"imported {res.imported} files, {res.moments} moments in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        context = AppContext(vault_dir)
        with context.open() as vault:
            searcher = context.searcher(vault)
            days = [d for d, _ in vault.days()]
            print(f"\nSearch quality: {len(questions)} paraphrased questions over {len(days)} days, "
                  f"{vault.counts()['moments']} moments\n")
            print(f"{'ranking':<16}{'Recall@1':>10}{'Recall@5':>10}{'MRR':>8}")
            scores = {}
            for mode in ("hybrid", "dense", "keyword"):
                scores[mode] = evaluate(searcher, days, questions, mode)
                s = scores[mode]
                print(f"{mode + (' (ours)' if mode == 'hybrid' else ''):<16}{s['recall@1']:>10.2f}{s['recall@5']:>10.2f}{s['mrr']:>8.2f}")
            h = scores["hybrid"]
            print(f"\ntarget: Recall@1 >= 0.80 and Recall@5 >= 0.95 -> "
                  f"{'met' if h['recall@1'] >= 0.8 and h['recall@5'] >= 0.95 else 'NOT met'}")
            if args.show_misses:
                for mode, s in scores.items():
                    for q, rank in s["misses"]:
                        print(f"  {mode:<8} rank {rank}: {q}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
