"""The night's report in plain words: new activities, people and places since the last report, likeness
and coherence before and after, and what the persona now gets right that it got wrong. Real vault,
real discovery, profile and four-way items; the choices' picks are given here (a real model's picks
are in the slow test at the end)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from fakes import fake_context
from sideload.jobs import JobContext
from test_activities_fast import SAYS, routine

ENTRY = ("Up early and to the office, where all the morning busy with the victuallers' accounts number {i}. "
         "Dined at home with my wife on a dish of eels, very good. In the afternoon by water to Whitehall "
         "to speak with my Lord about the ships, but he was gone to the Duke. So home again and to supper, "
         "and to bed, well pleased with the day and the {i} letters.")
OTHER = ("Dear cousin, the weather here has been wretched all week and the roads are mud to the knee, so "
         "the carrier will not come before Thursday {i}. Mother sends her love and asks after the children, "
         "and whether you have had word from the lawyer about the lease of the farm.")


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_the_night_names_new_activities_people_and_places_since_the_last_report(tmp_path, home):
    from sideload.learn import consolidate

    first = [{"datetime": l["datetime"], "text": l["text"]} for l in routine(21) if l["_act"] != "film"]
    first += [{"datetime": f"2026-01-{d:02d}T19:00:00", "text": "Called my sister Ruth about the weekend."}
              for d in (6, 13)]
    later = [{"datetime": (datetime(2026, 1, 26, 20) + timedelta(days=d)).isoformat(), "text": SAYS["film"][d % 3]}
             for d in range(4)]
    later += [{"datetime": f"2026-01-{d:02d}T11:00:00", "text": "My cousin Tom drove me to Brighton for the day."}
              for d in (27, 28)]
    context = fake_context(tmp_path / "v")
    with context.init() as v:
        context.import_session(v, JobContext()).run([_write(tmp_path / "a.jsonl", first)])
        night1 = consolidate.run(v, None, JobContext(), only={"activities", "profile"})
        context.import_session(v, JobContext()).run([_write(tmp_path / "b.jsonl", later)])  # the profile learns Tom here
        night2 = consolidate.run(v, None, JobContext(), only={"activities", "profile"})
    assert "Ruth" in night1["changes"]["new_people"]
    ch = night2["changes"]
    assert any("film" in a for a in ch["new_activities"]), ch
    assert ch["new_people"] == ["Tom"] and ch["new_places"] == ["Brighton"], ch  # new since the last report only
    assert any(line.startswith("new activities:") and "film" in line for line in night2["learnt"])
    assert "new people: Tom" in night2["learnt"] and "new places: Brighton" in night2["learnt"]
    # the contract: the fields a report always had are still there
    assert {"run_id", "started_at", "seconds", "status", "resumed_after", "learnt", "steps", "persona"} <= set(night2)
    assert ch["likeness"] is None and ch["now_right"] == []  # no training tonight


def test_the_report_carries_likeness_before_and_after_and_what_the_persona_now_gets_right(tmp_path, home):
    from sideload.learn import adapters, night_choices, night_report, training
    from sideload.learn.consolidate import StepResult

    mine = [{"date": f"1666-01-{i + 1:02d}", "text": ENTRY.format(i=i)} for i in range(10)]
    theirs = [{"date": f"1666-01-{i + 1:02d}", "author": "Jane Pepys", "text": OTHER.format(i=i)} for i in range(8)]
    context = fake_context(tmp_path / "v")
    with context.init() as v:
        context.import_session(v, JobContext()).run([_write(tmp_path / "mine.jsonl", mine),
                                                     _write(tmp_path / "letters.jsonl", theirs)])
        words = training.owner_words(v.db)
        sets = night_choices.item_sets(v, None, words, JobContext(), limit=4)
        assert sets.source == "other people's words in the vault" and not sets.note
        assert len(sets.likeness) == 4 and len(sets.coherence) == 4
        right = {t: [it.answer for it in items] for t, items in (("likeness", sets.likeness),
                                                                 ("coherence", sets.coherence))}
        wrong_first = {t: [(a + 1) % 4 if k < 2 else a for k, a in enumerate(p)] for t, p in right.items()}
        figures = night_choices.compare(sets, wrong_first, right, before_name="adapter v1")
        outcome = adapters.Outcome(True, 2, {"ppl_base": 70.0, "ppl_previous": 50.0, "ppl_new": 45.0, **figures},
                                   "held-out perplexity 45.00 beats the previous 50.00")
        report = night_report.build(v, 7, datetime.now(), [StepResult("train, evaluate, promote", "done", 1.0,
                                                                      {"result": outcome.as_json()})], "done", [])
    like = report["changes"]["likeness"]
    assert like == {"before": 0.5, "after": 1.0, "items": 4, "before_is": "adapter v1", "after_is": "adapter v2"}
    assert report["changes"]["coherence"]["before"] == 0.5 and report["persona"]["likeness_new"] == 1.0
    now_right = report["changes"]["now_right"]
    assert figures["now_right_count"] == 4 and len(now_right) == 4
    assert now_right[0]["test"] == "likeness" and now_right[0]["real"].split()[0] in ENTRY
    assert now_right[0]["chose_before"].split()[0] in OTHER  # it had picked the other writer's words
    lines = report["learnt"]
    assert any(l.startswith("likeness (") and "50 % with adapter v1, 100 % with the new adapter" in l for l in lines)
    assert any(l.startswith("the persona now gets right 4 item(s) it got wrong") for l in lines), lines
    # without anyone else's words, likeness is missing and the night says why
    alone = night_choices.ItemSets([], sets.coherence, None, night_choices.NO_OTHERS)
    figures = night_choices.compare(alone, {"coherence": right["coherence"]}, {"coherence": right["coherence"]},
                                    before_name="the base model")
    lines = night_report._choice_lines({**figures, "adapter_id": 1})
    assert figures["likeness_new"] is None and figures["coherence_new"] == 1.0
    assert lines[0] == "likeness not measured: " + night_choices.NO_OTHERS
    assert lines[-1] == "the persona gets no held-out item right that it got wrong before"


@pytest.mark.slow
def test_the_nights_choices_are_made_by_the_real_model(tmp_path, home):
    """The real path, cheaply: the base model on both sides (no adapter to train here), so before and
    after agree and nothing is 'now right'."""
    from models.llm import bundled_llm_path
    from sideload.learn import night_choices, training
    from models.hub import ModelHub

    short = ("Up early and to the office all the morning, and dined at home with my wife number {i}. After dinner "
             "by water to Whitehall about the ships, and so home to supper and to bed.")  # one item: two passes
    mine = [{"date": f"1666-01-{i + 1:02d}", "text": short.format(i=i)} for i in range(5)]
    theirs = [{"date": f"1666-01-{i + 1:02d}", "author": "Jane Pepys", "text": OTHER.format(i=i)} for i in range(4)]
    context = fake_context(tmp_path / "v")
    with context.init() as v:
        context.import_session(v, JobContext()).run([_write(tmp_path / "mine.jsonl", mine),
                                                     _write(tmp_path / "letters.jsonl", theirs)])
        hub = ModelHub(v.settings)
        figures = night_choices.measure(v, hub, bundled_llm_path(), None, None, training.owner_words(v.db),
                                        JobContext(), limit=1)
    assert figures["likeness_items"] == 1 and figures["coherence_items"] == 1, figures
    assert figures["likeness_new"] == figures["likeness_previous"] and 0 <= figures["likeness_new"] <= 1
    assert figures["now_right"] == [] and figures["choices_before"] == "the base model"
