"""Activities discovered from the person's own moments, fast: paraphrases of one routine become one
activity named in the person's words, the owner's renames, merges and splits survive rediscovery,
prediction is never below the same-weekday-and-hour baseline and IS that baseline on thin history,
and `predict --json` keeps its contract. Real vault and pipeline; the embedder is the fake that
hashes words (tests/fakes.py), so paraphrases here share some content words."""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

import numpy as np
import pytest

from fakes import fake_context
from sideload import cli
from sideload.jobs import JobContext
from sideload.persona import activity_edits, discovery
from sideload.persona.predict import BASELINE, Event, Predictor, events_from_vault
from sideload.store import activities as store

SAYS = {
    "coffee": ["Morning coffee on the balcony.", "First coffee of the morning, balcony sun.",
               "Made a pot of coffee, sat on the balcony."],
    "cycle": ["Cycling to the office along the canal.", "Cycled to the office, canal path wet.",
              "Bike ride to the office by the canal."],
    "lunch": ["Lunch at the cafe with Sam.", "Sam and I had lunch at the corner cafe.", "Quick lunch at the cafe, Sam joined."],
    "climb": ["Climbing at the bouldering wall tonight.", "Bouldering wall session, climbing felt strong.",
              "Evening climbing at the wall."],
    "groceries": ["Groceries at the supermarket on the way home.", "Picked up groceries, supermarket queue long.",
                  "Supermarket run for groceries."],
    "reading": ["Reading my novel in bed.", "A chapter of the novel before bed.", "Novel reading in bed, sleepy."],
    "pancakes": ["Pancakes for a slow weekend brunch.", "Weekend brunch, made pancakes.", "Brunch: pancakes and berries."],
    "hike": ["Hiking the ridge trail above the valley.", "Long hike on the ridge trail.", "Trail hike along the ridge."],
    "film": ["Film night on the sofa with popcorn.", "Watched a film, popcorn on the sofa.", "Sofa, popcorn, an old film."],
}


def routine(days: int = 28, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for d in range(days):
        day = datetime(2026, 1, 5) + timedelta(days=d)  # a Monday
        wd = day.weekday()
        plan = ([(7.5, "coffee"), (8.5, "cycle"), (12.5, "lunch"), (18.0, "climb" if wd in (0, 2, 4) else "groceries"),
                 (21.5, "reading")] if wd < 5 else [(10.0, "pancakes"), (14.0, "hike"), (20.0, "film")])
        for hour, act in plan:
            if rng.random() < 0.1:  # some days are different
                act = rng.choice(sorted(SAYS))
            when = day + timedelta(hours=hour + rng.uniform(-0.6, 0.6))
            out.append({"datetime": when.isoformat(timespec="seconds"), "text": rng.choice(SAYS[act]), "_act": act})
    return out


@pytest.fixture(scope="module")
def life(tmp_path_factory, home):
    tmp = tmp_path_factory.mktemp("routine")
    lines = routine()
    (tmp / "diary.jsonl").write_text("".join(json.dumps({k: v for k, v in l.items() if k != "_act"}) + "\n"
                                             for l in lines), encoding="utf-8")
    context = fake_context(tmp / "v")
    with context.init() as v:
        context.import_session(v, JobContext()).run([tmp / "diary.jsonl"])  # discovers on its own
    return context, tmp / "v", {l["text"]: l["_act"] for l in lines}


def _truth(v, texts) -> dict[int, set]:
    """activity id -> the true routines of its moments"""
    rows = v.db.execute("SELECT ma.activity_id, m.text FROM moment_activities ma JOIN moments m USING (rid)")
    out: dict[int, set] = {}
    for aid, text in rows:
        out.setdefault(aid, set()).add(texts[text])
    return out


def test_paraphrases_of_a_routine_become_one_activity_named_in_the_persons_words(life):
    context, _, texts = life
    with context.open() as v:
        truth = _truth(v, texts)
        rows = store.activity_rows(v.db)
        assert len(rows) == len(SAYS) and all(len(t) == 1 for t in truth.values())  # one each, none mixed
        assert sorted(next(iter(t)) for t in truth.values()) == sorted(SAYS)
        for r in rows:
            own_words = " ".join(SAYS[next(iter(truth[r["activity_id"]]))]).lower()
            assert r["name"] and all(w in own_words for w in r["name"].split()), r["name"]
        names = {next(iter(truth[r["activity_id"]])): r["name"] for r in rows}
        assert "coffee" in names["coffee"] and "lunch" in names["lunch"] and "ridge trail" in names["hike"]


def test_the_owners_rename_merge_and_split_survive_rediscovery(life, tmp_path):
    context, _, texts = life
    with context.open(write=True) as v:
        truth = {next(iter(t)): a for a, t in _truth(v, texts).items()}
        activity_edits.rename(v, truth["coffee"], "my slow start")
        activity_edits.merge(v, truth["groceries"], truth["climb"])
        before = len(store.activity_rows(v.db))
        discovery.discover(v)
        rows = {r["activity_id"]: r for r in store.activity_rows(v.db)}
        assert rows[truth["coffee"]]["name"] == "my slow start" and truth["groceries"] not in rows
        assert _truth(v, texts)[truth["climb"]] == {"climb", "groceries"} and len(rows) == before == len(SAYS) - 1
        parts = activity_edits.split(v, truth["climb"])["activities"]
        discovery.discover(v)
        after = _truth(v, texts)
        assert {frozenset(after[p["activity_id"]]) for p in parts} == {frozenset({"climb"}), frozenset({"groceries"})}


def test_prediction_is_never_below_the_weekday_hour_baseline_and_is_it_on_thin_history(life):
    context, _, texts = life
    with context.open() as v:
        events = events_from_vault(v.db)
    cut = events[-1].when - timedelta(days=7)
    history, week = [e for e in events if e.when < cut], [e for e in events if e.when >= cut]
    model, base = Predictor.fit(history), Predictor(history)
    hits = {"ours": 0, "base": 0}
    for i, e in enumerate(week):
        prev = week[i - 1].activity if i else history[-1].activity
        hits["ours"] += e.activity in [p.activity for p in model.predict(e.when, prev)]
        hits["base"] += e.activity in [p.activity for p in base.predict(e.when, prev)]
    assert hits["ours"] >= hits["base"] and hits["ours"] / len(week) >= 0.85, hits
    thin = [e for e in history if e.when < history[0].when + timedelta(days=10)]
    small = Predictor.fit(thin)
    assert np.array_equal(small.weights, BASELINE) and small.choice["used"] == "baseline"
    at = datetime(2026, 1, 19, 18, 5)  # thin history: the most frequent at this weekday and hour, then overall
    counts = {}
    for e in thin:
        if (e.when.weekday(), e.when.hour) == (at.weekday(), at.hour):
            counts[e.activity] = counts.get(e.activity, 0) + 1
    assert small.predict(at)[0].activity == max(counts, key=counts.get)


def test_predict_json_keeps_its_contract_and_says_it_in_the_persons_words(life, capsys):
    _, vault, _ = life
    assert cli.main(["--vault", str(vault), "predict", "--at", "2026-02-02T07:20", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    preds = doc["predictions"]
    assert 1 <= len(preds) <= 3 and preds == sorted(preds, key=lambda p: -p["probability"])
    assert {"activity", "probability", "evidence", "description", "activity_id"} <= set(preds[0])
    assert "coffee" in preds[0]["description"].lower() and preds[0]["evidence"][0]["moment_id"]
    assert preds[0]["activity"] in preds[0]["description"]
    assert cli.main(["--vault", str(vault), "predict", "--at", "2026-02-02T08:40", "--context",
                     "coffee on the balcony", "--json"]) == 0
    after = json.loads(capsys.readouterr().out)
    assert after["previous"] and "office" in after["predictions"][0]["description"]
    assert cli.main(["--vault", str(vault), "activities", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["activities"]
    assert len(listed) >= 8 and all(a["evidence"] and a["description"] for a in listed)


def test_a_new_kind_of_activity_appears_and_the_night_says_so(tmp_path, home):
    lines = [l for l in routine(21) if l["_act"] != "film"]
    later = [{"datetime": (datetime(2026, 1, 26, 20) + timedelta(days=d)).isoformat(), "text": SAYS["film"][d % 3]}
             for d in range(4)]
    (tmp_path / "a.jsonl").write_text("".join(json.dumps({"datetime": l["datetime"], "text": l["text"]}) + "\n"
                                              for l in lines), encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("".join(json.dumps(l) + "\n" for l in later), encoding="utf-8")
    context = fake_context(tmp_path / "v")
    with context.init() as v:
        context.import_session(v, JobContext()).run([tmp_path / "a.jsonl"])
        context.import_session(v, JobContext()).run([tmp_path / "b.jsonl"])
        assert not any("film" in r["name"] for r in store.activity_rows(v.db))  # joined nothing yet
        from sideload.learn import consolidate

        report = consolidate.run(v, context.hubs[0] if context.hubs else None, JobContext(), only={"activities"})
    assert any(line.startswith("new activities:") and "film" in line for line in report["learnt"]), report["learnt"]


def test_wordings_that_take_turns_in_one_slot_of_the_week_are_one_routine_but_neighbours_are_not():
    from sideload.persona import slots

    starts, labels = [], []
    for week in range(4):
        monday = datetime(2026, 1, 5) + timedelta(days=7 * week)
        for day in (0, 1):  # one routine on Monday and Tuesday at seven, told one way or the other by the week
            starts.append(monday + timedelta(days=day, hours=7, minutes=10 * week))
            labels.append(week % 2)
            starts.append(monday + timedelta(days=day, hours=8))  # what follows it on the same days: a clash
            labels.append(2)
        starts.append(monday + timedelta(days=2, hours=7))  # the same hour, another weekday
        labels.append(3)
    merged = slots.merge_taking_turns(np.array(labels), starts).tolist()
    group = dict(zip(labels, merged))
    assert group[0] == group[1] and len({group[0], group[2], group[3]}) == 3, group


def test_a_routine_told_in_words_that_share_nothing_is_still_one_activity(tmp_path, home):
    says = {"handover": ["Handover on ward six.", "Took report from the night team."],
            "walk": ["Walked the dog by the reservoir."], "supper": ["Supper of soup and bread."]}
    rng = random.Random(3)
    lines = []
    for d in range(21):
        day = datetime(2026, 1, 5) + timedelta(days=d)
        for hour, act in ((7.0, "handover"), (12.0, "walk"), (19.0, "supper")):
            when = day + timedelta(hours=hour + rng.uniform(-0.4, 0.4))
            lines.append({"datetime": when.isoformat(timespec="seconds"), "text": rng.choice(says[act])})
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(l) + "\n" for l in lines), encoding="utf-8")
    context = fake_context(tmp_path / "v")
    with context.init() as v:
        context.import_session(v, JobContext()).run([tmp_path / "d.jsonl"])
        groups: dict[int, set] = {}
        for aid, text in v.db.execute("SELECT ma.activity_id, m.text FROM moment_activities ma JOIN moments m USING (rid)"):
            groups.setdefault(aid, set()).add(text)
    assert sorted(map(sorted, groups.values())) == sorted(sorted(t) for t in says.values()), groups
