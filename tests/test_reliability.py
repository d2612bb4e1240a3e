"""Adversarial use, as real processes on real files: input that could hang or garble an import,
errors that must still be one JSON document, shares that must stay private, and forget that must
leave no byte behind."""
from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, cli_json, run_cli

pytestmark = pytest.mark.slow


def _popen(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sideload.cli", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_a_named_pipe_is_named_in_failed_and_the_rest_imports(tmp_path, home):
    vault, inbox = tmp_path / "v", tmp_path / "in"
    inbox.mkdir()
    os.mkfifo(inbox / "a-pipe.mp4")
    (inbox / "diary.jsonl").write_text(json.dumps({"date": "2026-03-02", "text": "Fed the neighbour's cat."}) + "\n")
    run_cli("--vault", str(vault), "init", check=True)
    t0 = time.monotonic()
    proc = run_cli("--vault", str(vault), "import", str(inbox), "--json", timeout=120)
    assert time.monotonic() - t0 < 100
    out = json.loads(proc.stdout)
    assert proc.returncode == 1 and out["imported"] == 1
    assert out["failed"] == [{"path": str(inbox / "a-pipe.mp4"),
                              "reason": "not a regular file (a named pipe); only files are imported"}]


def test_one_ctrl_c_cancels_an_import(tmp_path, home):
    vault, inbox = tmp_path / "v", tmp_path / "in"
    inbox.mkdir()
    for i in range(40):
        (inbox / f"d{i:02}.jsonl").write_text(json.dumps({"date": f"2026-03-{i % 28 + 1:02}",
                                                          "text": f"Entry {i}: the boat needed paint."}) + "\n")
    run_cli("--vault", str(vault), "init", check=True)
    proc = _popen("--vault", str(vault), "import", str(inbox), "--json")
    deadline = time.time() + 120
    while time.time() < deadline and not (vault / "index").exists():
        time.sleep(0.2)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)  # once
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert json.loads(out)["error"]["kind"] == "cancelled"
    again = cli_json("--vault", str(vault), "import", str(inbox))
    assert again["imported"] + again["skipped"] == 40


def test_latin1_and_utf16_writing_imports_readable(tmp_path, home):
    vault, inbox = tmp_path / "v", tmp_path / "in"
    inbox.mkdir()
    (inbox / "2026-03-02.txt").write_bytes("The café's façade was repainted; crème brûlée after.".encode("latin-1"))
    (inbox / "2026-03-03.txt").write_bytes("Walked to the harbour; the señora waved.".encode("utf-16"))
    run_cli("--vault", str(vault), "init", check=True)
    out = cli_json("--vault", str(vault), "import", str(inbox))
    assert out["imported"] == 2 and out["failed"] == []
    texts = {m["started_at"][:10]: m["text"] for m in cli_json("--vault", str(vault), "moments")["moments"]}
    assert texts["2026-03-02"].startswith("The café's façade")
    assert texts["2026-03-03"] == "Walked to the harbour; the señora waved."
    found = cli_json("--vault", str(vault), "search", "façade")["results"]
    assert found and "façade" in found[0]["text"]


def test_dropped_diary_lines_are_named_with_line_numbers(tmp_path, home):
    vault = tmp_path / "v"
    diary = tmp_path / "d.jsonl"
    diary.write_text('{"date": "2026-03-02", "text": "Mended the gate."}\n{broken\n'
                     '{"date": "2026-03-04", "text": "Planted leeks."}\n')
    run_cli("--vault", str(vault), "init", check=True)
    proc = run_cli("--vault", str(vault), "import", str(diary), "--json")
    out = json.loads(proc.stdout)
    assert proc.returncode == 1 and out["imported"] == 1 and out["moments"] == 2
    assert out["failed"] == [{"path": str(diary), "line": 2, "reason": out["failed"][0]["reason"]}]
    assert "not valid JSON" in out["failed"][0]["reason"]


def test_every_error_in_json_mode_is_one_json_document(tmp_path, home):
    for args, kind in ((("--vault", str(tmp_path / "nowhere"), "moments"), "not-a-vault"),
                       (("--vault", str(tmp_path / "nowhere"), "moments", "--day", "yesterday"), "usage"),
                       (("moments", "--frobnicate"), "usage")):
        proc = run_cli(*args, "--json")
        assert proc.returncode == 2
        assert proc.stdout.count("\n") == 1 and json.loads(proc.stdout)["error"]["kind"] == kind, args


def test_shares_are_private_and_bad_shares_and_targets_are_refused_clearly(demo_vault, tmp_path):
    (tmp_path / "pass").write_text("a long enough passphrase\n")
    out = cli_json("--vault", str(demo_vault), "export", "--out", str(tmp_path / "f.sideload"), "--passphrase-file",
                   str(tmp_path / "pass"), "--trustees", "3", "--threshold", "2")
    for share in out["shares"]:
        assert stat.S_IMODE(os.stat(share).st_mode) == 0o600
    good = Path(out["shares"][0]).read_text()
    bad = tmp_path / "bad-share.txt"
    bad.write_text(good.replace(good.split()[2], "x/3"))  # a share number that is not a number
    proc = run_cli("open-legacy", str(tmp_path / "f.sideload"), "--share-file", str(bad), "--share-file",
                   out["shares"][1], "--to", str(tmp_path / "fam"), "--json")
    assert proc.returncode == 2 and "share is damaged" in proc.stderr and not (tmp_path / "fam").exists()
    assert "internal error" not in proc.stderr
    taken = tmp_path / "a-file"
    taken.write_text("mine")
    proc = run_cli("open-legacy", str(tmp_path / "f.sideload"), "--passphrase-file", str(tmp_path / "pass"),
                   "--to", str(taken), "--json")
    assert proc.returncode == 2 and "exists and is not a folder" in proc.stderr
    assert taken.read_text() == "mine"


def _scan(root: Path, needles: dict[str, bytes]) -> list[tuple[str, str]]:
    hits = []
    for p in root.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            hits += [(str(p.relative_to(root)), name) for name, n in needles.items() if n in data]
    return hits


@pytest.fixture
def small_vault(tmp_path, home) -> Path:
    vault = tmp_path / "v"
    diary = tmp_path / "d.jsonl"
    diary.write_text("".join(json.dumps(e) + "\n" for e in (
        {"date": "2026-03-02", "text": "The plumber quoted four hundred for the boiler."},
        {"date": "2026-03-03", "text": "Secret: the spare key is under the blue flowerpot by the shed."},
        {"date": "2026-03-04", "text": "Choir practice moved to Thursdays at the old school hall."})))
    run_cli("--vault", str(vault), "init", check=True)
    cli_json("--vault", str(vault), "import", str(diary))
    return vault


def test_forget_leaves_no_byte_of_the_moment_anywhere(small_vault):
    import sqlite3

    import numpy as np

    hit = cli_json("--vault", str(small_vault), "search", "spare key flowerpot")["results"][0]
    with sqlite3.connect(small_vault / "sideload.db") as c:
        blob = c.execute("SELECT e.vector FROM embeddings e JOIN moments m USING (rid) WHERE m.moment_id = ?",
                         (hit["moment_id"],)).fetchone()[0]
    vec = np.frombuffer(blob, np.float32)
    needles = {"text": b"spare key is under the blue flowerpot", "id": hit["moment_id"].encode(),
               "vector": vec.tobytes()[:64], "vector-f16": vec.astype(np.float16).tobytes()[:32]}
    before = {name for _, name in _scan(small_vault, needles)}
    assert {"text", "id", "vector"} <= before  # the scan sees them while they are there (chromadb's log too)
    assert any(path.startswith("index") for path, _ in _scan(small_vault, needles))
    assert cli_json("--vault", str(small_vault), "forget", hit["moment_id"])["forgotten"] == 1
    assert _scan(small_vault, needles) == []
    # search still works, and finds the rest by meaning
    assert "boiler" in cli_json("--vault", str(small_vault), "search", "heating repair cost", "--mode", "dense")["results"][0]["text"]


def test_a_lost_index_is_searched_around_then_rebuilt_and_repair_reports_it(small_vault, tmp_path):
    shutil.rmtree(small_vault / "index")
    proc = run_cli("--vault", str(small_vault), "search", "spare key", "--mode", "dense", "--json")
    assert proc.returncode == 0 and "search index is missing" in proc.stderr
    assert "flowerpot" in json.loads(proc.stdout)["results"][0]["text"]  # scored from the vectors directly
    report = cli_json("--vault", str(small_vault), "repair")
    assert report["index"]["state"] == "missing" and report["index"]["rebuilt"] == 3
    again = cli_json("--vault", str(small_vault), "repair")
    assert again["index"]["state"] == "ok" and again["index"]["rebuilt"] == 0
    # a damaged chromadb file: the next import rebuilds the index, and nothing fails for good
    (small_vault / "index" / "chroma.sqlite3").write_bytes(b"\x00garbage" * 1000)
    more = tmp_path / "more.jsonl"
    more.write_text(json.dumps({"date": "2026-03-05", "text": "Bought seed potatoes."}) + "\n")
    out = cli_json("--vault", str(small_vault), "import", str(more))
    assert out["imported"] == 1 and out["failed"] == []
    found = run_cli("--vault", str(small_vault), "search", "planting potatoes", "--mode", "dense", "--json")
    assert found.returncode == 0 and "index is" not in found.stderr
    assert "potatoes" in json.loads(found.stdout)["results"][0]["text"]


def _mount_read_only(src: Path, dst: Path) -> bool:
    dst.mkdir()
    ok = subprocess.run(["mount", "--bind", str(src), str(dst)], capture_output=True).returncode == 0
    return ok and subprocess.run(["mount", "-o", "remount,ro,bind", str(dst)], capture_output=True).returncode == 0


def test_a_vault_on_read_only_media_is_searched_and_asked(small_vault, tmp_path):
    ro = tmp_path / "dvd"
    if not _mount_read_only(small_vault, ro):
        pytest.skip("bind mounts need root and a kernel that allows them")
    try:
        assert (subprocess.run(["touch", str(ro / "x")], capture_output=True).returncode != 0)
        before = {p: p.stat().st_mtime_ns for p in small_vault.rglob("*") if p.is_file()}
        moments = cli_json("--vault", str(ro), "moments")["moments"]
        assert len(moments) == 3
        found = cli_json("--vault", str(ro), "search", "where is the spare key?")["results"]
        assert "flowerpot" in found[0]["text"]
        asked = cli_json("--vault", str(ro), "ask", "where did I hide the spare key?")
        assert asked["remembered"] and "flowerpot" in asked["answer"]
        assert {p: p.stat().st_mtime_ns for p in small_vault.rglob("*") if p.is_file()} == before
    finally:
        subprocess.run(["umount", str(ro)], capture_output=True)


def test_search_and_ask_work_on_a_full_disk(small_vault, tmp_path):
    disk = tmp_path / "small-disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("mounting a small disk needs root")
    try:
        shutil.copytree(small_vault, disk / "v")
        subprocess.run(["dd", "if=/dev/zero", f"of={disk / 'fill'}", "bs=1M", "count=64"], capture_output=True)
        assert shutil.disk_usage(disk).free < 64 * 1024
        proc = run_cli("--vault", str(disk / "v"), "search", "where is the spare key?", "--json")
        assert proc.returncode == 0 and "flowerpot" in json.loads(proc.stdout)["results"][0]["text"]
        # a small vault is scored without its index, so nothing needs writing; where something would,
        # the message names the full disk, never an internal error
        assert "internal error" not in proc.stderr and (not proc.stderr.strip() or "disk is full" in proc.stderr)
        asked = cli_json("--vault", str(disk / "v"), "ask", "where did I hide the spare key?")
        assert asked["remembered"] and "flowerpot" in asked["answer"]
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)
