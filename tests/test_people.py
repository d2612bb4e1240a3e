"""People by voice with the real voice encoder: two recordings of three espeak-ng voices (the owner, a
colleague heard on both days, a stranger once), imported once with the real models, come out as three
people; naming the colleague once names her speech in the moments' JSON, and only hers."""
from __future__ import annotations

import numpy as np
import pytest

from conftest import cli_json, run_cli

pytestmark = pytest.mark.slow

# measured with resemblyzer here: the same voice about 0.95, these three 0.53 to 0.71 apart
OWNER, MARIA, STRANGER = "en-us+f3", "en+m7", "en+klatt2"


def _recording(lines: list[tuple[str, str]], seed: int) -> np.ndarray:
    """The lines one after another, two seconds of quiet room between them."""
    from sideload.demo.sampleday import SR, speak

    rng = np.random.default_rng(seed)
    parts = []
    for voice, text in lines:
        parts += [rng.standard_normal(2 * SR) * 0.003, speak(text, voice) * 0.8]
    parts.append(rng.standard_normal(2 * SR) * 0.003)
    return np.clip(np.concatenate(parts), -1, 1).astype(np.float32)


def test_real_voices_become_people_and_a_name_given_once_shows(tmp_path, home):
    from sideload.demo.sampleday import make_audio

    media = tmp_path / "recorder"
    make_audio(media / "office.m4a", _recording([
        (OWNER, "Good morning. I have the report for the board meeting here with me."),
        (MARIA, "Thanks. The budget numbers must be ready by Thursday at the latest."),
        (OWNER, "I will send you the spreadsheet tomorrow morning."),
        (MARIA, "Please include the travel costs for Lisbon as well."),
    ], seed=1), creation_time="2026-03-02T09:00:00Z")
    make_audio(media / "evening.m4a", _recording([
        (OWNER, "Hello again. Did the spreadsheet arrive in time?"),
        (MARIA, "It did, and the board approved the budget this afternoon."),
        (STRANGER, "Excuse me, the office closes in ten minutes tonight."),
        (OWNER, "Thank you, we are just leaving now."),
    ], seed=2), creation_time="2026-03-03T18:00:00Z")
    vault = str(tmp_path / "v")
    run_cli("--vault", vault, "init", "--owner", "Alex", check=True)
    done = cli_json("--vault", vault, "import", str(media), timeout=900)
    assert done["failed"] == [] and done["imported"] == 2

    everyone = cli_json("--vault", vault, "people")["people"]
    voices = [p for p in everyone if p["spoken"]]
    assert len(voices) == 3, everyone
    owner = voices[0]
    assert owner["owner"] and owner["name"] == "Alex" and owner["spoken"] >= 4
    from sideload.context import AppContext
    from sideload.lifecycle import people

    with AppContext(tmp_path / "v").open() as v:  # read in this process: each command costs a start-up
        said = {m["moment_id"]: m for m in v.moments()}
        by_person = {p["person_id"]: people.moments(v.db, p["person_id"])["moments"] for p in voices}
    assert all(m["speaker"] == "me" for m in by_person[owner["person_id"]])
    maria = next(p for p in voices if any("budget" in m["text"].lower() for m in by_person[p["person_id"]]))
    hers = by_person[maria["person_id"]]
    assert {m["started_at"][:10] for m in hers} == {"2026-03-02", "2026-03-03"}  # across both recordings
    assert not any("office closes" in m["text"].lower() for m in hers)

    named = cli_json("--vault", vault, "people", "name", str(maria["person_id"]), "Maria")
    assert named["person"]["name"] == "Maria"
    after = cli_json("--vault", vault, "moments")["moments"]
    mine = {m["moment_id"] for m in hers}
    for m in after:
        assert m["speaker"] == said[m["moment_id"]]["speaker"]  # extended, not renamed
        assert m["speaker_name"] == ("Maria" if m["moment_id"] in mine else None), m
