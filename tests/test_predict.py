"""Behaviour prediction from the timeline."""
from datetime import datetime, timedelta

import pytest

from conftest import cli_json, run_cli
from sideload.persona.activities import activity_of
from sideload.persona.predict import Event, Predictor


def test_activities_come_from_words():
    assert activity_of("Long meeting about the budget at the office") == "work"
    assert activity_of("Played tennis in the park") == "exercise"
    assert activity_of("the weather was grey") is None


def test_a_routine_is_learnt_and_what_just_happened_counts():
    events = []
    day0 = datetime(2026, 1, 5)
    for d in range(28):
        day = day0 + timedelta(days=d)
        shift = timedelta(hours=(d % 3) - 1)  # days run early or late as a whole
        plan = [(8, "travel"), (9, "work"), (13, "meal"), (14, "work"), (18, "travel"),
                (19, "exercise" if day.weekday() % 2 == 0 else "shopping"), (20, "meal")]
        events += [Event(day + timedelta(hours=h) + shift, a) for h, a in plan]
    model = Predictor(events)
    top = model.predict(datetime(2026, 2, 2, 19, 10), previous="travel")  # a Monday evening after the commute
    assert top[0].activity == "exercise" and top[0].probability > 0.3
    assert abs(sum(p.probability for p in model.predict(datetime(2026, 2, 3, 9), top=20)) - 1) < 1e-6
    assert Predictor([]).predict(datetime(2026, 1, 1, 9)) == []


@pytest.mark.slow
def test_cli_predict_returns_activities_with_evidence(demo_vault):
    out = cli_json("--vault", str(demo_vault), "predict", "--at", "2026-03-03T13:00", "--context", "just left the office")
    preds = out["predictions"]
    assert 1 <= len(preds) <= 3 and preds == sorted(preds, key=lambda p: -p["probability"])
    assert all(set(p) == {"activity", "probability", "evidence"} for p in preds)
    assert any(p["evidence"] and p["evidence"][0]["moment_id"] for p in preds)
    bad = run_cli("--vault", str(demo_vault), "predict", "--at", "tomorrow")
    assert bad.returncode == 2 and "ISO" in bad.stderr
