"""Scripts that do not wait for torch: the time from starting `sideload` to its JSON, cold process.

Each command runs as a new process (as a cron job or a pipe runs it), several times, over a small
real vault, in one run: **before** is the code as it was before the embedding went through
onnxruntime (a git worktree of that commit: torch and sentence-transformers loaded, chromadb started
on every search), **after** is this tree, and **after, torch embedder** is this tree with
`SIDELOAD_EMBEDDER=torch` (what onnxruntime alone saves). Target on 2 cores: a cold `search` in at
most 1.5 s.

    .venv/bin/python benchmarks/cli.py [--vault DIR] [--runs 5] [--before REF]

Without --vault it builds one: a quarter of Pepys's diary (1660) and a recording from ../shared/data.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
COMMANDS = {"search": ["search", "where did I leave the car keys", "--limit", "5"],
            "ask": ["ask", "what did I eat for breakfast?"],
            "moments": ["moments", "--day", "1660-01-05"]}


def sideload(tree: Path, vault: Path, args: list[str], env: dict) -> tuple[float, subprocess.CompletedProcess]:
    """Seconds from start to the JSON on stdout (the process ends right after printing it)."""
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "sideload.cli", "--vault", str(vault), *args, "--json"],
                          capture_output=True, text=True, cwd=tree, env=env, timeout=600)
    took = time.perf_counter() - t
    if proc.returncode != 0 or proc.stdout.count("\n") != 1:
        raise SystemExit(f"sideload {' '.join(args)} failed in {tree}:\n{proc.stderr[-2000:]}")
    return took, proc


def build_vault(vault: Path, env: dict) -> None:
    src = vault.parent / "src"
    src.mkdir(parents=True, exist_ok=True)
    lines = (DATA / "diary" / "pepys_1660.jsonl").read_text(encoding="utf-8").splitlines()[:90]
    (src / "pepys_1660_q1.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.copy(DATA / "audio" / "jfk.wav", src / "jfk.wav")
    sideload(ROOT, vault, ["init", "--owner", "Samuel Pepys"], env)
    sideload(ROOT, vault, ["import", str(src)], env)


def before_ref() -> str:
    """The commit before the embedding went through onnxruntime."""
    added = subprocess.run(["git", "log", "--diff-filter=A", "--format=%H", "--", "models/embed_onnx.py"],
                           capture_output=True, text=True, cwd=ROOT, check=True).stdout.split()
    return f"{added[-1]}^" if added else "HEAD"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vault", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--before", default=None, help="git ref of the 'before' code (default: before onnxruntime)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sideload-cli-bench-"))
    env = {**os.environ, "SIDELOAD_HOME": os.environ.get("SIDELOAD_HOME", str(work / "home")),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("SIDELOAD_EMBEDDER", None)
    ref = args.before or before_ref()
    old = work / "before"
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(old), ref], cwd=ROOT, check=True)
    try:
        vault = args.vault or work / "vault"
        if args.vault is None:
            print("building a small vault (a quarter of Pepys's 1660, one recording)...", file=sys.stderr)
            build_vault(vault, env)
        variants = [("before", old, env), ("after", ROOT, env),
                    ("after, torch embedder", ROOT, {**env, "SIDELOAD_EMBEDDER": "torch"})]
        times: dict[tuple[str, str], list[float]] = {}
        for name, tree, e in variants:  # once each, untimed: the one-off export, the page cache
            for cmd in COMMANDS.values():
                sideload(tree, vault, cmd, e)
        for _ in range(args.runs):  # interleaved, so a busy moment on the machine hits every variant
            for name, tree, e in variants:
                for key, cmd in COMMANDS.items():
                    took, _ = sideload(tree, vault, cmd, e)
                    times.setdefault((name, key), []).append(took)
        moments = json.loads(sideload(ROOT, vault, ["moments"], env)[1].stdout)["moments"]
        print(f"\nCold CLI, time to the JSON: {len(moments)} moments, {os.cpu_count()} cores, {args.runs} runs each "
              f"(before = {ref})\n")
        print(f"{'command':<10}{'variant':<24}{'median s':>10}{'min s':>8}{'max s':>8}")
        for key in COMMANDS:
            for name, _, _ in variants:
                t = times[(name, key)]
                print(f"{key:<10}{name:<24}{statistics.median(t):>10.2f}{min(t):>8.2f}{max(t):>8.2f}")
        ok = statistics.median(times[("after", "search")]) <= 1.5
        print(f"\ntarget: a cold search in at most 1.5 s: {'met' if ok else 'NOT met'}")
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=False)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
