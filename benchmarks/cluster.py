"""Cluster benchmark: the same footage through the local pipeline and through Ray, in one run.

Runs the import three ways on this machine: local (one process, `threads` threads), Ray with one
worker (the same threads), and Ray with two workers (one thread each, so the same cores). Prints
throughput (x real time) and what Ray adds: starting the runtime, each worker loading its models,
and carrying results back (pickled bytes) to the driver that stores them. Each run gets a fresh
vault; the moments of every run are checked against the local one (ids and texts).

    .venv/bin/python benchmarks/cluster.py [--minutes 2.5] [--segments 6] [--whisper base] [--keep DIR]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import footage_in  # noqa: E402  (the ingest benchmark's body-camera footage)


def run(files: list[Path], vault_dir: Path, whisper: str, *, engine: str = "local", workers: int = 0,
        threads: int = 2) -> dict:
    from sideload.context import AppContext
    from sideload.jobs import JobContext

    context = AppContext(vault_dir)
    try:
        with context.init() as vault:
            vault.settings.set("whisper_bundled", whisper)
            vault.settings.set("threads", str(threads))
            vault.settings.set("ray_workers", str(workers))
            vault.settings.save()
            hub = context.hub(vault.settings)
            t = time.perf_counter()
            # the driver's own engines, loaded before the clock starts as a long-lived app has them;
            # locally these are every import model, on Ray only what the driver itself uses
            _ = (hub.whisper, hub.voice, hub.embedder, hub.frames) if engine == "local" else (hub.embedder, hub.voice)
            load_s = time.perf_counter() - t
            session = context.import_session(vault, JobContext(), engine=engine)
            t = time.perf_counter()
            result = session.run(files)
            wall = time.perf_counter() - t
            stats = dict(session.engine.stats) if session.engine is not None else {}
        db = sqlite3.connect(vault_dir / "sideload.db")
        moments = db.execute("SELECT moment_id, text FROM moments ORDER BY rid").fetchall()
        db.close()
        return {"result": result, "wall": wall, "load_s": load_s, "stats": stats, "moments": moments,
                "device": hub.device}
    finally:
        context.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=2.5)
    ap.add_argument("--segments", type=int, default=6, help="files the footage is cut into (work units)")
    ap.add_argument("--whisper", default="base", choices=("base", "tiny.en"))
    ap.add_argument("--keep", type=Path, help="keep the generated footage here (and reuse it next time)")
    args = ap.parse_args()
    # the workers of the Ray runtime started here inherit this home (the shipped models' cache)
    os.environ.setdefault("SIDELOAD_HOME", tempfile.mkdtemp(prefix="sideload-bench-home-"))
    work = Path(tempfile.mkdtemp(prefix="sideload-cluster-bench-"))
    footage = args.keep or work / "footage"
    try:
        files = footage_in(footage, args.minutes, args.segments)
        runs = {
            "local, 2 threads": run(files, work / "v-local", args.whisper),
            "Ray 1 worker x 2 threads": run(files, work / "v-ray1", args.whisper, engine="ray", workers=1, threads=2),
            "Ray 2 workers x 1 thread": run(files, work / "v-ray2", args.whisper, engine="ray", workers=2, threads=1),
        }
        report(runs, len(files), args.whisper)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def report(runs: dict, n_files: int, whisper: str) -> None:
    local = next(iter(runs.values()))
    media = local["result"].media_seconds
    print(f"\nCluster benchmark: {media / 60:.1f} min of footage in {n_files} files, Whisper {whisper}, "
          f"{os.cpu_count()} cores, device {local['device']}\n")
    head = (f"{'run':<30}{'wall s':>8}{'x real':>8}{'start s':>9}{'models s':>10}{'pipeline s':>12}"
            f"{'result MB':>11}{'store s':>9}{'same':>6}")
    print(head)
    for name, r in runs.items():
        st = r["stats"]
        same = "yes" if r["moments"] == local["moments"] else "NO"
        models = max(st["load_s"]) if st.get("load_s") else r["load_s"]
        pipeline_s = st.get("pipeline_s", sum(r["result"].timings.values()))
        print(f"{name:<30}{r['wall']:>8.1f}{media / r['wall']:>8.1f}{st.get('runtime_s', 0.0):>9.1f}"
              f"{models:>10.1f}{pipeline_s:>12.1f}{st.get('result_mb', 0.0):>11.2f}{st.get('store_s', 0.0):>9.2f}{same:>6}")
    print("\nstart s: the Ray runtime starting (Ray runs); models s: loading the import models (locally before the\n"
          "clock, on Ray inside it: each worker loads its own, the slowest shown); pipeline s: the stages' own time\n"
          "summed over files (on Ray, measured on the workers); result MB: finished files carried back to the driver.")
    r1 = list(runs.values())[1]
    overhead = r1["wall"] - local["wall"]
    print(f"\nRay with one worker on the same threads costs {overhead:+.1f} s over local on {media / 60:.1f} min "
          f"({overhead / max(local['wall'], 1e-9) * 100:+.0f} %): runtime start {r1['stats'].get('runtime_s', 0):.1f} s, "
          f"worker model load {max(r1['stats'].get('load_s') or [0]):.1f} s, the rest per file.")
    print("\nper stage (seconds summed over files):")
    names = list(local["result"].timings)
    print(f"{'stage':<20}{'local RTF':>10}" + "".join(f"{n:>26}" for n in runs))
    for stage in names:
        print(f"{stage:<20}{local['result'].timings[stage] / media:>10.4f}"
              + "".join(f"{r['result'].timings.get(stage, 0.0):>26.1f}" for r in runs.values()))
    print("(RTF: seconds of work per second of footage on this machine's 2 threads; lower is faster)")


if __name__ == "__main__":
    sys.exit(main())
