"""Forget reaches every copy: search, chat and a raw scan of every file in the vault."""
import shutil
from pathlib import Path

import pytest

from conftest import cli_json, run_cli

pytestmark = pytest.mark.slow


def _raw_scan(folder: Path, needle: str) -> list[str]:
    data = needle.encode("utf-8")
    return [str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and data in p.read_bytes()]


def test_forget_removes_a_moment_from_everything(demo_vault, tmp_path, sample_day):
    vault = tmp_path / "v"
    shutil.copytree(demo_vault, vault)
    v = str(vault)
    target = cli_json("--vault", v, "search", "where did I put my passport")["results"][0]
    assert "passport" in target["text"]
    needle = target["text"][:40]
    chat = cli_json("--vault", v, "ask", "where did I put my passport?", "--new-session")
    assert target["moment_id"] in [c["moment_id"] for c in chat["citations"]]
    assert _raw_scan(vault, needle), "the scan must be able to find the text before forgetting"

    assert cli_json("--vault", v, "forget", target["moment_id"]) == {"forgotten": 1}

    assert target["moment_id"] not in {m["moment_id"] for m in cli_json("--vault", v, "moments")["moments"]}
    assert all(r["moment_id"] != target["moment_id"] for r in cli_json("--vault", v, "search", "passport drawer desk")["results"])
    again = cli_json("--vault", v, "ask", "where did I put my passport?")
    assert target["moment_id"] not in [c["moment_id"] for c in again["citations"]] and needle not in again["answer"]
    assert _raw_scan(vault, needle) == []
    assert run_cli("--vault", v, "forget", "no-such-moment").returncode == 2


def test_forget_a_whole_file_and_it_stays_forgotten(demo_vault, tmp_path, sample_day):
    vault = tmp_path / "v"
    shutil.copytree(demo_vault, vault)
    v = str(vault)
    source = sample_day / "recorder" / "2026-03-02_13-15-00.m4a"
    mine = [m for m in cli_json("--vault", v, "moments")["moments"] if m["source"] == str(source)]
    assert mine
    before = len(cli_json("--vault", v, "moments")["moments"])
    assert cli_json("--vault", v, "forget", "--source", str(source)) == {"forgotten": len(mine)}
    assert len(cli_json("--vault", v, "moments")["moments"]) == before - len(mine)
    out = cli_json("--vault", v, "import", str(sample_day))
    assert out["imported"] == 0 and out["moments"] == 0  # importing the card again does not bring it back
    assert not [m for m in cli_json("--vault", v, "moments")["moments"] if m["source"] == str(source)]
    for m in mine:
        assert _raw_scan(vault, m["text"][:40]) == []
