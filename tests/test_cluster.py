"""import --engine ray on a real Ray cluster of two nodes on this machine, against a local import.

The cluster (a head and a second node, one CPU each) and the footage are made once for the module;
Whisper tiny.en keeps it short. The footage has what makes files depend on each other in a local
import: a GoPro chapter whose clock continues the previous chapter's, and the same bytes twice.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT

slow = pytest.mark.slow


def test_without_engine_ray_ray_is_never_imported(tmp_path, home):
    """A local import, a dry run and the command line's parsing never load Ray; --address alone is refused."""
    diary = tmp_path / "d.jsonl"
    diary.write_text(json.dumps({"date": "2026-03-02", "text": "Rain all day."}) + "\n")
    code = f"""
import sys
sys.path.insert(0, {str(ROOT / 'tests')!r})
from fakes import fake_context
from sideload.cli import main
from sideload.jobs import JobContext
context = fake_context({str(tmp_path / 'v')!r})
with context.init() as v:
    assert context.import_session(v, JobContext()).run([{str(diary)!r}]).imported == 1
assert main(["--vault", {str(tmp_path / 'v')!r}, "import", "--dry-run", {str(diary)!r}]) == 0
assert main(["--vault", {str(tmp_path / 'v')!r}, "import", "--address", "auto", {str(diary)!r}]) == 2
print(sorted(m for m in sys.modules if m == "ray" or m.startswith(("ray.", "sideload.cluster"))))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert "--address names a Ray cluster to join; add --engine ray" in out.stderr


def test_workers_fill_cpu_nodes_and_share_a_gpu_nodes_gpus():
    from sideload.cluster.engine import shape
    from sideload.errors import SideloadError

    cpu = [{"CPU": 16.0, "GPU": 0.0}, {"CPU": 1.0, "GPU": 0.0}, {"CPU": 0.0, "GPU": 0.0}]  # a head with no CPUs
    assert shape(cpu, threads=2, use_gpu=True, wanted=0, files=100) == (2, 0.0, 8)
    assert shape(cpu, threads=1, use_gpu=True, wanted=0, files=100) == (1, 0.0, 17)
    assert shape(cpu, threads=1, use_gpu=True, wanted=4, files=100) == (1, 0.0, 4)  # ray_workers
    assert shape(cpu, threads=2, use_gpu=True, wanted=0, files=3) == (2, 0.0, 3)  # no more than files
    gpu = [{"CPU": 16.0, "GPU": 2.0}, {"CPU": 32.0, "GPU": 0.0}]
    assert shape(gpu, threads=2, use_gpu=True, wanted=0, files=100) == (2, 0.25, 8)  # 4 workers per GPU
    assert shape(gpu, threads=2, use_gpu=False, wanted=0, files=100) == (2, 0.0, 24)  # device cpu
    with pytest.raises(SideloadError, match="no room"):
        shape([{"CPU": 0.0, "GPU": 0.0}], threads=1, use_gpu=False, wanted=0, files=1)


@pytest.fixture(scope="module")
def clips(home, tmp_path_factory) -> Path:
    from sideload.demo.sampleday import Line, make_video, soundtrack

    d = tmp_path_factory.mktemp("footage")
    said = [("owner", "I left the car keys on the hook by the front door."),
            ("partner", "Can you pick up some milk and eggs on the way home?"),
            ("owner", "The meeting with the architects moved to Thursday at three."),
            ("partner", "The plumber said he would come on Saturday morning.")]
    for n, (who, text) in enumerate(said):
        audio, _ = soundtrack([Line(who, text, 1.0)], 7.0, seed=n)
        scenes = [("testsrc2", 3.5), ("smptehdbars" if n % 2 else "color=0x8b4513", 3.5)]
        if n < 2:
            make_video(d / "bodycam" / f"20260302_0{8 + n}0000.mp4", scenes, audio)
        else:  # a GoPro recording in two chapters; the second has no clock of its own
            name = "GOPR0007.MP4" if n == 2 else "GP010007.MP4"
            make_video(d / "DCIM" / "100GOPRO" / name, scenes, audio,
                       creation_time="2026-03-02T12:00:00" if n == 2 else None)
    diary = d / "writing" / "diary.jsonl"
    diary.parent.mkdir()
    diary.write_text(json.dumps({"date": "2026-03-02", "text": "Took the train to the coast with Maria."}) + "\n")
    (d / "writing" / "copy").mkdir()
    shutil.copy(diary, d / "writing" / "copy" / "diary-again.jsonl")  # the same bytes twice: one import
    return d


def _settings(vault) -> None:
    vault.settings.set("whisper_bundled", "tiny.en")
    vault.settings.set("whisper_beam_size", "1")
    vault.settings.set("owner_name", "Alex")
    vault.settings.save()


def _import(root: Path, clips: Path, **kw):
    from sideload.context import AppContext
    from sideload.jobs import JobContext

    context = AppContext(root)
    try:
        with (context.open(write=True) if root.exists() else context.init()) as vault:
            _settings(vault)
            ctx = kw.pop("ctx", None) or JobContext()
            session = context.import_session(vault, ctx, **kw)
            return session.run([clips]), session
    finally:
        context.close()


def _vault_state(root: Path) -> dict:
    db = sqlite3.connect(root / "sideload.db")
    try:
        rows = db.execute("SELECT m.moment_id, m.kind, m.start_s, m.end_s, m.started_at, m.speaker, m.text, m.caption,"
                          " m.keyframe, e.vector FROM moments m LEFT JOIN embeddings e ON e.rid = m.rid"
                          " ORDER BY m.rid").fetchall()
        files = db.execute("SELECT path, content_hash, started_at, time_source FROM files ORDER BY file_id").fetchall()
        dupes = db.execute("SELECT count(*) - count(DISTINCT moment_id) FROM moments").fetchone()[0]
    finally:
        db.close()
    return {"moments": [r[:9] for r in rows], "vectors": [np.frombuffer(r[9], np.float32) for r in rows],
            "files": files, "dupes": dupes}


def _assert_same(root: Path, local: Path) -> None:
    got, want = _vault_state(root), _vault_state(local)
    assert got["dupes"] == 0
    assert got["files"] == want["files"]  # same files, same order, same clocks (the chapter continues)
    assert got["moments"] == want["moments"]  # ids, texts, times, speakers, keyframes, in the same order
    for a, b in zip(got["vectors"], want["vectors"]):
        assert float(a @ b) > 0.999
    for (*_, keyframe) in got["moments"]:
        assert keyframe is None or (root / keyframe).is_file()


@pytest.fixture(scope="module")
def local(home, clips, tmp_path_factory) -> tuple[Path, object]:
    root = tmp_path_factory.mktemp("local") / "vault"
    result, _ = _import(root, clips)
    assert result.failed == [] and result.imported == 5 and result.skipped == 1
    return root, result


@pytest.fixture(scope="module")
def cluster(home):
    pytest.importorskip("ray", reason="the cluster extra (pip install -e '.[cluster]') is not installed")
    from ray.cluster_utils import Cluster

    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    c.add_node(num_cpus=1)
    yield c.address
    c.shutdown()


@slow
def test_a_cluster_import_equals_a_local_one(cluster, clips, local, tmp_path):
    from sideload.jobs import JobContext

    seen = []
    root = tmp_path / "vault"
    result, session = _import(root, clips, engine="ray", address=cluster, ctx=JobContext(seen.append, min_interval_s=0))
    stats = session.engine.stats
    assert stats["nodes"] == 2 and stats["workers"] == 2 and stats["threads"] == 1
    assert result.failed == [] and result.as_json() == local[1].as_json()
    _assert_same(root, local[0])
    stored = [p.done for p in seen if p.stage.startswith("stored")]
    assert stored == sorted(stored) and seen[-1].done == seen[-1].total == 6  # progress per file, in order
    again, _ = _import(root, clips, engine="ray", address=cluster)  # run again: nothing new, no worker started
    assert again.imported == 0 and again.skipped == 6


def _pipeline_worker_running() -> list[int]:
    import psutil

    found = []
    for p in psutil.Process().children(recursive=True):
        try:
            if p.cmdline() and p.cmdline()[0].startswith("ray::PipelineWorker.process"):
                found.append(p.pid)
        except psutil.Error:
            pass
    return found


@slow
def test_a_worker_and_then_the_driver_killed_mid_import_lose_and_double_nothing(cluster, clips, local, tmp_path):
    """The command line on the cluster: a worker process dies mid-file (its file goes to a fresh worker),
    then the driver is killed with SIGKILL; the same command run again ends as a local import."""
    from sideload.context import AppContext

    root = tmp_path / "vault"
    with AppContext(root).init() as vault:
        _settings(vault)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "sideload.cli", "--vault", str(root), "import", str(clips), "--engine", "ray",
           "--address", cluster, "--json", "-q"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killed = None
    try:
        end = time.monotonic() + 240
        while proc.poll() is None and time.monotonic() < end and (killed is None or _files(root) < 2
                                                                       or not _worker_death_logged(root)):
            busy = _pipeline_worker_running() if killed is None else []
            if busy:
                killed = busy[0]
                os.kill(killed, signal.SIGKILL)  # as on a lost node: no cleanup, no goodbye
            time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read().decode()
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert killed is not None and 2 <= _files(root) < 6
    assert _worker_death_logged(root)
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["failed"] == [] and out["imported"] + out["skipped"] == 6 and out["skipped"] >= 2
    _assert_same(root, local[0])


def _worker_death_logged(root: Path) -> bool:
    log = "".join(f.read_text(errors="replace") for f in (root / "logs").glob("*.log*"))
    return "a Ray worker died while importing" in log


def _files(root: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{root / 'sideload.db'}?mode=ro", uri=True, timeout=1)
        try:
            return db.execute("SELECT count(*) FROM files").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0
