"""People by voice, fast: the grouping on synthetic voiceprints, and over a real vault (real store,
real per-import steps, fake embedder and chat model): naming a voice once and seeing the name in the
moments' JSON, the persona's answers ("Maria told me"), the profile, privacy and later imports.
The real voice encoder on real speech: test_people.py."""
from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from conftest import cli_json, run_cli
from fakes import FakeLLM
from people_vault import conversation_vault, finish_import, store_recording, utterance, voices
from sideload.ingest.people import group_voices, name_votes, owner_of
from sideload.lifecycle import people


def test_grouping_places_each_voice_with_its_own_and_only_new_ones():
    rng = np.random.default_rng(0)
    a, b, c = voices(3)
    prints = np.stack([utterance(v, rng) for v in (a, a, b, a, b, b)])
    weights = np.array([5.0, 3.0, 4.0, 2.0, 3.0, 1.0])
    first = group_voices(prints, weights, [None] * 6, 0.8)
    assert first.new_people == 2
    la, lb = first.labels[0], first.labels[2]
    assert first.labels == [la, la, lb, la, lb, lb] and la != lb
    assert min(first.confidence) > 0.8
    # incremental: what was placed stays; a new stretch of b joins b, a new voice c starts a person, and
    # a stretch of c too short to carry a clear voice joins nobody
    known = [7 if x == la else 9 for x in first.labels]
    more = np.vstack([prints, utterance(b, rng), utterance(c, rng), utterance(c, rng)])
    w = np.append(weights, [2.0, 3.0, 0.9])
    second = group_voices(more, w, known + [None] * 3, 0.8, founders=w >= 1.5)
    assert second.labels[:6] == known and second.labels[6] == 9
    assert second.labels[7] == -1 and second.new_people == 1
    assert second.labels[8] == -1  # too short to found a person, but close enough to join c
    lone = group_voices(more[8:], w[8:], [None], 0.8, founders=w[8:] >= 1.5)
    assert lone.labels == [None] and lone.new_people == 0


def test_the_owner_is_the_person_whose_voice_is_mostly_me():
    labels = [1, 1, 2, 2, 2, None]
    assert owner_of(labels, ["me", "me", "other", "me", "other", "me"], np.ones(6)) == 1
    assert owner_of(labels, ["other"] * 6, np.ones(6)) is None


def test_names_come_from_speech_only_where_clear():
    def turn(pid, text, start, file_id=1):
        return {"person_id": pid, "text": text, "start_s": start, "end_s": start + 3, "file_id": file_id}

    turns = [turn(1, "Thanks, Maria.", 0), turn(2, "You are welcome.", 4),
             turn(1, "Hi Maria, how was Lisbon?", 20), turn(2, "Lovely, thank you.", 24),
             turn(3, "Hello, my name is Oliver and I fix teeth.", 40),
             turn(1, "See you in Lisbon.", 50), turn(4, "Goodbye.", 70),  # a place, and a turn long after
             turn(1, "Bye, Tom.", 100), turn(5, "Bye.", 101, file_id=2)]  # another recording
    votes = name_votes(turns)
    assert votes[2] == {"Maria": 2}
    assert votes[3] == {"Oliver": 2}
    assert not votes.get(4) and not votes.get(5)


@pytest.fixture
def talk(tmp_path, home):
    context, voice = conversation_vault(tmp_path, llm=FakeLLM("Something unrelated entirely."))
    with context.open() as v:
        everyone = people.people(v.db, "Alex")
    return context, voice, everyone


def test_voices_become_people_across_recordings(talk):
    context, _, everyone = talk
    assert [(p["owner"], p["moments"], p["name"]) for p in everyone] == [(True, 5, "Alex"), (False, 3, None),
                                                                       (False, 1, None)]
    maria = everyone[1]
    assert maria["first_seen"].startswith("2026-03-02T13:15") and maria["last_seen"].startswith("2026-03-03T09:00")


def test_a_voice_named_once_is_named_everywhere(talk, tmp_path):
    context, (owner_v, maria_v, _), everyone = talk
    maria = everyone[1]["person_id"]
    with context.open(write=True) as v:
        done = people.name(v, maria, "Maria")
        assert done["person"]["name"] == "Maria" and done["person"]["named_by"] == "owner"
    # the moments' JSON (the CLI contract: speaker unchanged, speaker_name added)
    doc = cli_json("--vault", str(tmp_path / "vault"), "moments", "--day", "2026-03-02")
    said = {m["text"][:20]: (m["speaker"], m["speaker_name"]) for m in doc["moments"]}
    assert said["The quarterly report"] == ("other", "Maria")
    assert said["I will send you the "] == ("me", None)
    assert said["Your lower left mola"] == ("other", None)  # the dentist: not named
    # the persona: a question about her finds her own words, attributed to her
    with context.open() as v:
        ans = context.persona(v).ask("what did Maria want from me?")
    assert ans.remembered and "Maria told me: “The quarterly report is due on Friday" in ans.text
    assert "someone told me" not in ans.text
    # the profile knows her by voice
    from sideload.persona import profile

    with context.open() as v:
        fact = next(f for f in profile.facts(v.db) if f["kind"] == "person" and f["key"] == "Maria")
    assert "heard their voice in 3 moments" in fact["value"] and len(fact["evidence"]) == 3
    # a later recording of her voice is hers by name at once
    with context.open(write=True) as v:
        store_recording(v, tmp_path / "media", "friday.m4a", datetime(2026, 3, 6, 10, 0), [
            (owner_v, 1.0, 4.0, "Morning, did the numbers arrive in time?"),
            (maria_v, 5.0, 9.0, "They did, and the board approved the budget."),
        ], seed=9)
        finish_import(context, v)
        new = [m for m in v.moments(day="2026-03-06")]
    assert [(m["speaker"], m["speaker_name"]) for m in new] == [("me", None), ("other", "Maria")]


def test_the_owners_word_wins_merges_and_privacy_follow_names(talk, tmp_path):
    context, (owner_v, maria_v, dentist_v), everyone = talk
    owner, maria, dentist = (p["person_id"] for p in everyone)
    with context.open(write=True) as v:
        # a guess from speech ("thanks, Maria" before her turn, twice) names her ...
        store_recording(v, tmp_path / "media", "thanks.m4a", datetime(2026, 3, 4, 8, 0), [
            (owner_v, 1.0, 3.0, "Thanks, Maria."), (maria_v, 3.5, 6.0, "No trouble at all."),
            (owner_v, 7.0, 9.0, "See you later, Maria."), (maria_v, 9.5, 12.0, "See you later."),
        ], seed=5)
        finish_import(context, v)
        assert people.person(v.db, maria)["named_by"] == "speech" and people.person(v.db, maria)["name"] == "Maria"
        # ... the owner's word replaces it, and no later guess undoes it
        people.name(v, maria, "Maria Lopez")
        finish_import(context, v)
        assert people.person(v.db, maria)["name"] == "Maria Lopez"
        with pytest.raises(Exception, match="your own voice"):
            people.name(v, owner, "Bob")
        # two people the owner says are one
        merged = people.merge(v, maria, dentist)
        assert merged["person"]["moments"] == 3 + 2 + 1 and merged["merged"] == [dentist]
        assert people.person(v.db, maria)["name"] == "Maria Lopez"
        # a person marked private covers her voice, now that it has her name
        from sideload.lifecycle import privacy

        privacy.mark(v, "person", ["Maria Lopez"])
        hers = people.moments(v.db, maria)["moments"]
        assert hers and all(m["speaker_name"] == "Maria Lopez" for m in hers)
        assert {m["moment_id"] for m in v.moments(include_private=False)}.isdisjoint(m["moment_id"] for m in hers)


def test_chat_partners_are_people_and_a_voice_named_like_one_joins_them(tmp_path, home):
    context, (owner_v, maria_v, _) = conversation_vault(tmp_path)
    chat = tmp_path / "WhatsApp Chat with Maria.txt"
    chat.write_text("03/03/2026, 18:02 - Maria: Did you get my numbers?\n"
                    "03/03/2026, 18:05 - Alex: Yes, thank you!\n", encoding="utf-8")
    with context.open(write=True) as v:
        context.import_session(v, None).run([chat])
        everyone = people.people(v.db, "Alex")
        by_chat = next(p for p in everyone if p["named_by"] == "chat")
        voice = next(p for p in everyone if p["moments"] == 3 and not p["owner"])
        assert by_chat["name"] == "Maria" and by_chat["moments"] == 1
        done = people.name(v, voice["person_id"], "maria")
        assert done["merged"] == [by_chat["person_id"]] and done["person"]["moments"] == 4
        assert len(people.people(v.db)) == 3


def test_the_people_command(talk, tmp_path):
    vault = str(tmp_path / "vault")
    listed = cli_json("--vault", vault, "people")["people"]
    assert [p["owner"] for p in listed] == [True, False, False] and listed[0]["name"] == "Alex"
    pid = listed[1]["person_id"]
    named = cli_json("--vault", vault, "people", "name", str(pid), "Maria")
    assert named["person"]["name"] == "Maria" and named["person"]["moments"] == 3
    bad = run_cli("--vault", vault, "people", "name", "999", "Nobody", "--json")
    assert bad.returncode == 2 and '"kind": "input"' in bad.stdout and "no person 999" in bad.stdout


def test_forgetting_a_persons_every_moment_forgets_the_person(talk):
    from sideload.lifecycle.forget import forget

    context, _, everyone = talk
    dentist = everyone[2]["person_id"]
    with context.open(write=True) as v:
        people.name(v, dentist, "Dr Ortega")
        forget(v, moment_ids=[m["moment_id"] for m in people.moments(v.db, dentist)["moments"]])
        assert [p["person_id"] for p in people.people(v.db)] == [p["person_id"] for p in everyone[:2]]
