"""A life at a glance, in the core (sideload.recall.overview): what the home view and the calendar read."""
from __future__ import annotations

import json
from datetime import date

import pytest

from fakes import fake_context
from sideload.errors import SideloadError
from sideload.jobs import JobContext
from sideload.recall import overview

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # the header is what is checked


@pytest.fixture
def context(tmp_path, home):
    diary = tmp_path / "diary.jsonl"
    diary.write_text("".join(json.dumps(e) + "\n" for e in (
        {"date": "2024-03-03", "text": "Snow on the allotment; tea in the shed."},
        {"date": "2025-03-03", "text": "We planted the apple tree by the gate this morning."},
        {"date": "2026-03-02", "text": "The early swim at the lido."},
    )), encoding="utf-8")
    ctx = fake_context(tmp_path / "vault")
    with ctx.init() as v:
        v.settings.set("owner_name", "Ada")
        v.settings.save()
        ctx.import_session(v, JobContext()).run([diary])
    return ctx


def test_the_overview_of_a_small_life(context):
    with context.open() as v:
        ov = overview.build(v, date(2026, 3, 3))
    assert (ov.owner, ov.first_day, ov.last_day, ov.days, ov.moments) == ("Ada", "2024-03-03", "2026-03-02", 3, 3)
    assert [m.day for m in ov.on_this_day] == ["2025-03-03", "2024-03-03"]  # newest year first
    assert ov.on_this_day[0].who == "me" and "apple tree" in ov.on_this_day[0].text
    assert [d.day for d in ov.recent] == ["2026-03-02", "2025-03-03", "2024-03-03"]
    assert ov.recent[0].line == "I wrote: “The early swim at the lido.”" and ov.recent[0].kinds == {"text": 1}


def test_day_counts_are_read_once_per_vault_state(context):
    with context.open() as v:
        first = overview.day_counts(v)
        assert overview.day_counts(v) is first  # nothing changed: nothing read again
    with context.open(write=True) as v:
        overview.set_portrait(v, PNG)
    with context.open() as v:
        again = overview.day_counts(v)
        assert again is not first and again.days == first.days
        assert overview.portrait(v) == PNG


def test_the_portrait_is_checked_and_a_family_copy_refuses_it(context):
    with context.open(write=True) as v:
        with pytest.raises(SideloadError, match="JPEG or PNG"):
            overview.set_portrait(v, b"GIF89a...")
        with pytest.raises(SideloadError, match="at most"):
            overview.set_portrait(v, PNG + b"\x00" * overview.PORTRAIT_MAX_BYTES)
        overview.set_portrait(v, None)
        assert overview.portrait(v) is None
    with context.open() as v:  # a reader (as a family copy always is) cannot write it
        with pytest.raises(SideloadError):
            overview.set_portrait(v, PNG)


def test_a_written_life_shows_the_people_written_of_most(tmp_path, home):
    """A diary has no voices and no chats: the people who matter are those the owner writes of."""
    diary = tmp_path / "diary.jsonl"
    days = [f"2026-01-{d:02d}" for d in range(1, 10)]
    diary.write_text("".join(json.dumps({"date": d, "text": text}) + "\n" for d, text in zip(days, [
        "To the office with Mr. Povy, and dined.", "Mr. Povy came about the Tangier accounts.",
        "Walked with Mr. Povy in the park.", "Sir W. Penn and I to the yard.", "Sir W. Penn sick.",
        "Mr. Povy again, and Sir W. Penn.", "A quiet day at home.", "Mr. Povy's coach.", "Rain all day."])))
    ctx = fake_context(tmp_path / "vault")
    with ctx.init() as v:
        ctx.import_session(v, JobContext()).run([diary])
    with ctx.open() as v:
        ov = overview.build(v, date(2026, 1, 10))
    names = [n for n, _ in ov.people]
    assert names[:2] == ["Mr. Povy", "Sir W. Penn"] and dict(ov.people)["Mr. Povy"] >= 4
