"""Privacy rules: people, places and days marked private, kept private in new imports, never exported;
import exclusions by time range."""
import json
import shutil
import sqlite3

import pytest

from conftest import cli_json, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def vault(demo_vault, tmp_path_factory):
    work = tmp_path_factory.mktemp("privacy")
    shutil.copytree(demo_vault, work / "owner")
    return work / "owner"


def _private_texts(vault):
    with sqlite3.connect(vault / "sideload.db") as db:
        return [r[0] for r in db.execute("SELECT text FROM moments WHERE private = 1")]


def test_a_person_marked_private_stays_private_and_out_of_every_release(vault, tmp_path):
    marked = cli_json("--vault", str(vault), "private", "person", "Maria")
    texts = _private_texts(vault)
    assert marked["private"] == len(texts) > 0 and all("maria" in t.lower() for t in texts)
    # the owner still finds them
    hits = cli_json("--vault", str(vault), "search", "Maria budget numbers")["results"]
    assert any("maria" in h["text"].lower() for h in hits)
    # the profile no longer names her
    facts = cli_json("--vault", str(vault), "profile")["facts"]
    assert not any(f["key"].lower() == "maria" for f in facts)
    # new writing that mentions her is private as soon as it is imported
    diary = tmp_path / "notes.jsonl"
    diary.write_text(json.dumps({"date": "2026-03-03", "text": "Lunch with Maria about the Q3 budget."}) + "\n"
                     + json.dumps({"date": "2026-03-03", "text": "Fixed the bike's back brake in the evening."}) + "\n")
    cli_json("--vault", str(vault), "import", str(diary))
    new_private = _private_texts(vault)
    assert "Lunch with Maria about the Q3 budget." in new_private
    assert "Fixed the bike's back brake in the evening." not in new_private
    # never exported
    (tmp_path / "pass").write_text("a long enough passphrase\n")
    cli_json("--vault", str(vault), "export", "--out", str(tmp_path / "x.sideload"), "--passphrase-file", str(tmp_path / "pass"))
    fam = tmp_path / "fam"
    cli_json("open-legacy", str(tmp_path / "x.sideload"), "--passphrase-file", str(tmp_path / "pass"), "--to", str(fam))
    released = cli_json("--vault", str(fam), "moments")["moments"]
    assert released and not any("maria" in (m["text"] or "").lower() for m in released)
    assert not any(b"Maria" in p.read_bytes() for p in fam.rglob("*") if p.is_file())
    # the owner takes the mark back
    back = cli_json("--vault", str(vault), "private", "person", "Maria", "--release")
    assert back["private"] == 0 and back["rules"] == []


def test_days_and_places_and_bad_input(vault):
    day = cli_json("--vault", str(vault), "private", "day", "2026-03-02")
    total = len(cli_json("--vault", str(vault), "moments", "--day", "2026-03-02")["moments"])
    assert day["private"] == total > 0
    listed = cli_json("--vault", str(vault), "private")
    assert {"kind": "day", "value": "2026-03-02"} in [{k: r[k] for k in ("kind", "value")} for r in listed["rules"]]
    assert cli_json("--vault", str(vault), "private", "day", "2026-03-02", "--release")["private"] == 0
    bad = run_cli("--vault", str(vault), "private", "day", "March 2nd")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
    missing = run_cli("--vault", str(vault), "private", "moment", "no-such-moment")
    assert missing.returncode == 2 and "no such moment" in missing.stderr
    unknown = run_cli("--vault", str(vault), "private", "person", "Nobody Here", "--release")
    assert unknown.returncode == 2 and "was not marked" in unknown.stderr


def test_import_exclusion_by_time_range(home, tmp_path):
    v = tmp_path / "v"
    run_cli("--vault", str(v), "init", check=True)
    run_cli("--vault", str(v), "settings", "import_exclude_ranges",
            "2026-05-02/2026-05-02,2026-05-10T18:00/2026-05-10T23:00", check=True)
    a = tmp_path / "in" / "a.jsonl"
    a.parent.mkdir()
    a.write_text("".join(json.dumps(e) + "\n" for e in [
        {"date": "2026-05-01", "text": "Kept: the first."},
        {"date": "2026-05-02", "text": "Dropped: a whole excluded day."},
        {"date": "2026-05-10T19:30:00", "text": "Dropped: inside the evening range."},
        {"date": "2026-05-10T08:00:00", "text": "Kept: the morning before the range."}]))
    (tmp_path / "in" / "b.jsonl").write_text(json.dumps({"date": "2026-05-02", "text": "Only the excluded day."}) + "\n")
    out = cli_json("--vault", str(v), "import", str(tmp_path / "in"))
    texts = [m["text"] for m in cli_json("--vault", str(v), "moments")["moments"]]
    assert sorted(texts) == ["Kept: the first.", "Kept: the morning before the range."]
    assert out["failed"] == [] and [p.endswith("b.jsonl") for p in out["excluded"]] == [True]
    bad = run_cli("--vault", str(v), "settings", "import_exclude_ranges", "yesterday/today")
    assert bad.returncode == 0  # a list of text is valid as a setting; import names the bad range
    proc = run_cli("--vault", str(v), "import", str(a))
    assert proc.returncode == 2 and "import_exclude_ranges" in proc.stderr
