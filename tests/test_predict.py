"""Behaviour prediction over the person's discovered activities (the fast tier is in
tests/test_activities_fast.py; here the model alone, and the real embedder and CLI)."""
import json
from datetime import datetime, timedelta

import pytest

from conftest import cli_json, run_cli
from sideload.persona.predict import BASELINE, Event, Predictor


def test_a_routine_is_learnt_and_what_just_happened_counts():
    events = []
    day0 = datetime(2026, 1, 5)
    for d in range(28):
        day = day0 + timedelta(days=d)
        shift = timedelta(hours=(d % 3) - 1)  # days run early or late as a whole
        plan = [(8, "commute"), (9, "desk"), (13, "lunch"), (14, "desk"), (18, "commute"),
                (19, "pool" if day.weekday() % 2 == 0 else "market"), (20, "supper")]
        events += [Event(day + timedelta(hours=h) + shift, a) for h, a in plan]
    model = Predictor.fit(events)
    assert model.choice["validation_top3"] >= model.choice["baseline_top3"]
    top = model.predict(datetime(2026, 2, 2, 19, 10), previous="commute")  # a Monday evening after the commute
    assert top[0].activity == "pool" and top[0].probability > 0.3
    assert abs(sum(p.probability for p in model.predict(datetime(2026, 2, 3, 9), top=20)) - 1) < 1e-6
    assert Predictor([]).predict(datetime(2026, 1, 1, 9)) == []
    assert (Predictor.fit(events[:30]).weights == BASELINE).all()  # five days: the baseline itself


@pytest.mark.slow
def test_the_real_embedder_groups_paraphrases_and_names_them_in_the_persons_words(tmp_path, home):
    from test_activities_fast import SAYS, routine

    from sideload.context import AppContext
    from sideload.jobs import JobContext
    from sideload.store import activities as store

    lines = routine(21)
    (tmp_path / "d.jsonl").write_text("".join(json.dumps({"datetime": l["datetime"], "text": l["text"]}) + "\n"
                                              for l in lines), encoding="utf-8")
    context = AppContext(tmp_path / "v")
    with context.init() as v:
        context.import_session(v, JobContext()).run([tmp_path / "d.jsonl"])
        truth = {l["text"]: l["_act"] for l in lines}
        groups: dict[int, list[str]] = {}
        for aid, text in v.db.execute("SELECT ma.activity_id, m.text FROM moment_activities ma JOIN moments m USING (rid)"):
            groups.setdefault(aid, []).append(truth[text])
        names = {r["activity_id"]: r["name"] for r in store.activity_rows(v.db)}
    pure = sum(max(g.count(a) for a in set(g)) for g in groups.values()) / sum(map(len, groups.values()))
    assert pure >= 0.9 and len(groups) <= len(SAYS) + 2, (pure, names)
    assert any("coffee" in n for n in names.values()) and any("film" in n or "popcorn" in n for n in names.values())


@pytest.mark.slow
def test_cli_predict_returns_activities_with_evidence(demo_vault):
    out = cli_json("--vault", str(demo_vault), "predict", "--at", "2026-03-03T13:00", "--context", "just left the office")
    preds = out["predictions"]
    assert len(preds) <= 3 and preds == sorted(preds, key=lambda p: -p["probability"])
    assert all(set(p) == {"activity", "activity_id", "probability", "description", "evidence"} for p in preds)
    bad = run_cli("--vault", str(demo_vault), "predict", "--at", "tomorrow")
    assert bad.returncode == 2 and "ISO" in bad.stderr
