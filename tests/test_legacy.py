"""Preserve and hand over: encrypted export, family mode, trustees' shares."""
import shutil
import sqlite3

import pytest

from conftest import cli_json, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def preserved(demo_vault, tmp_path_factory):
    work = tmp_path_factory.mktemp("legacy")
    vault = work / "owner"
    shutil.copytree(demo_vault, vault)
    db = sqlite3.connect(vault / "sideload.db")
    private = db.execute("SELECT moment_id, text FROM moments WHERE text LIKE '%park courts%'").fetchone()
    db.close()
    marked = cli_json("--vault", str(vault), "private", "moment", private[0])
    assert marked["private"] == 1 and marked["rules"][0]["value"] == private[0]
    (work / "pass").write_text("correct horse battery staple\n")
    out = cli_json("--vault", str(vault), "export", "--out", str(work / "alex.sideload"), "--passphrase-file",
                   str(work / "pass"), "--trustees", "5", "--threshold", "3")
    return work, out, private


def test_round_trip_shows_the_released_moments_and_nothing_private(preserved, demo_vault):
    work, out, (private_id, private_text) = preserved
    total = len(cli_json("--vault", str(demo_vault), "moments")["moments"])
    assert out["moments"] == total - 1 and len(out["shares"]) == 5
    assert private_text[:30].encode() not in (work / "alex.sideload").read_bytes()  # encrypted at rest
    fam = work / "family"
    opened = cli_json("open-legacy", str(work / "alex.sideload"), "--passphrase-file", str(work / "pass"), "--to", str(fam))
    assert opened["moments"] == total - 1 and opened["read_only"]
    ids = {m["moment_id"] for m in cli_json("--vault", str(fam), "moments")["moments"]}
    assert private_id not in ids and len(ids) == total - 1
    found = cli_json("--vault", str(fam), "search", "where did I put my passport")["results"]
    assert "passport" in found[0]["text"]
    assert all(r["moment_id"] != private_id for r in cli_json("--vault", str(fam), "search", "tennis park courts new balls")["results"])
    asked = cli_json("--vault", str(fam), "ask", "where did I put my passport?")
    assert asked["remembered"] and "passport" in asked["answer"]
    assert not any(private_text[:30].encode() in p.read_bytes() for p in fam.rglob("*") if p.is_file())


def test_wrong_passphrase_and_damage_are_refused_and_nothing_is_written(preserved, tmp_path):
    work, _, _ = preserved
    (tmp_path / "wrong").write_text("not the passphrase\n")
    bad = run_cli("open-legacy", str(work / "alex.sideload"), "--passphrase-file", str(tmp_path / "wrong"),
                  "--to", str(tmp_path / "a"))
    assert bad.returncode == 2 and "wrong passphrase" in bad.stderr and not (tmp_path / "a").exists()
    data = bytearray((work / "alex.sideload").read_bytes())
    for where, name in ((len(data) // 2, "middle"), (len(data) - 5, "end"), (40, "header")):
        flipped = bytearray(data)
        flipped[where] ^= 0x01
        f = tmp_path / f"flipped-{name}.sideload"
        f.write_bytes(bytes(flipped))
        proc = run_cli("open-legacy", str(f), "--passphrase-file", str(work / "pass"), "--to", str(tmp_path / name))
        assert proc.returncode == 2, name
        assert not (tmp_path / name).exists(), name
    cut = tmp_path / "cut.sideload"
    cut.write_bytes(bytes(data[: len(data) - 1000]))
    proc = run_cli("open-legacy", str(cut), "--passphrase-file", str(work / "pass"), "--to", str(tmp_path / "cut"))
    assert proc.returncode == 2 and "truncated" in proc.stderr and not (tmp_path / "cut").exists()


def test_any_k_of_n_shares_open_it_and_fewer_do_not(preserved, tmp_path):
    work, out, _ = preserved
    shares = out["shares"]
    args = []
    for s in (shares[4], shares[0], shares[2]):
        args += ["--share-file", s]
    opened = cli_json("open-legacy", str(work / "alex.sideload"), *args, "--to", str(tmp_path / "k"))
    assert opened["moments"] == out["moments"]
    two = run_cli("open-legacy", str(work / "alex.sideload"), "--share-file", shares[1], "--share-file", shares[3],
                  "--to", str(tmp_path / "k1"))
    assert two.returncode == 2 and "3 different shares" in two.stderr and not (tmp_path / "k1").exists()


def test_family_mode_cannot_write(preserved, tmp_path, sample_day):
    work, _, _ = preserved
    fam = tmp_path / "fam"
    cli_json("open-legacy", str(work / "alex.sideload"), "--passphrase-file", str(work / "pass"), "--to", str(fam))
    before = {p: p.read_bytes() for p in fam.rglob("*.db")}
    attempts = [["import", str(sample_day)], ["forget", "anything"], ["forget", "--source", "/x.mp4"],
                ["settings", "threads", "1"], ["profile", "refresh"], ["profile", "set", "person", "X", "y"],
                ["profile", "remove", "place", "Y"], ["init"], ["consolidate"], ["private", "day", "2026-03-02"],
                ["private", "person", "Maria", "--release"]]
    for cmd in attempts:
        proc = run_cli("--vault", str(fam), *cmd)
        assert proc.returncode == 2 and "family mode" in proc.stderr, cmd
    kept = run_cli("--vault", str(fam), "ask", "where did I put my passport?", "--new-session")
    assert kept.returncode == 0 and "not saved" in kept.stderr
    assert {p: p.read_bytes() for p in fam.rglob("*.db")} == before
