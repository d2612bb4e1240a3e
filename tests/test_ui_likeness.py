"""The Persona view charts each adapter's likeness and coherence as stored: a real Qt window offscreen
over a real vault whose adapters carry the figures their nights measured (one night measured no
likeness: a gap, not a zero). No model loads."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from fakes import FakeLLM, fake_context
from sideload.jobs import JobContext

pytestmark = pytest.mark.gui

FIGURES = [  # (adapter, status, likeness before/after, coherence before/after, note)
    (1, "retired", 0.25, 0.42, 0.42, 0.50, ""),
    (2, "rejected", None, None, 0.50, 0.58, "no one else's words in the vault and no imitation_model set: "
                                            "likeness was not measured"),
    (3, "served", 0.42, 0.67, 0.50, 0.50, ""),
]


def adapter_row(aid, status, lb, la, cb, ca, note):
    return dict(adapter_id=aid, created_at=f"2026-02-0{aid}T03:00:00", status=status, parent_id=aid - 1 or None,
                base_name="base.gguf", base_sha256="0" * 64, gguf_file=None, peft_dir=None, train_tokens=3000,
                train_seconds=20.0, examples=40, heldout_tokens=1200, ppl_base=70.0, ppl_previous=60.0 - aid,
                ppl_new=55.0 - 3 * aid, note="held-out perplexity", likeness_previous=lb, likeness_new=la,
                likeness_items=12 if la is not None else 0, coherence_previous=cb, coherence_new=ca,
                coherence_items=12, likeness_note=note)


@pytest.fixture
def window(qtbot, tmp_path, home):
    from sideload.persona import profile
    from sideload.store import learning
    from ui.app import MainWindow

    diary = tmp_path / "d.jsonl"
    diary.write_text(json.dumps({"date": "2026-02-12", "text": "Walked to the market with my sister Ruth."}) + "\n")
    context = fake_context(tmp_path / "vault", llm=FakeLLM())
    with context.init() as v:
        context.import_session(v, JobContext()).run([diary])
        profile.correct(v, "person", "Ruth", "my sister, who lives by the sea in a house with a blue door, keeps "
                                             "bees, and taught me to swim the summer I was six")
        with v.transaction() as tx:
            for f in FIGURES:
                learning.record_adapter(tx, adapter_row(*f))
    vault = context.open()
    win = MainWindow(vault, restore=False, context=context)
    qtbot.addWidget(win)
    win.resize(1200, 760)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    vault.close()


def test_the_persona_view_charts_likeness_and_coherence_per_adapter_with_a_gap_where_unmeasured(window, qtbot):
    window.show_view("Persona")
    chart = window.persona.choices_chart
    qtbot.waitUntil(chart.isVisible, timeout=5_000)
    chart.grab()  # paint it
    drawn = {(aid, key): v for aid, key, v in chart.drawn}
    for aid, _, _, la, _, ca, _ in FIGURES:
        assert drawn.get((aid, "coherence_new")) == ca
        assert drawn.get((aid, "likeness_new")) == la  # v2's likeness is missing: not drawn, not 0
    assert (2, "likeness_new") not in drawn and len(drawn) == 5
    text = window.persona.choices_caption.text()
    assert "Newest, v3: likeness 67 % (before it 42 %, 12 items); coherence 50 %" in text, text
    assert "a gap means that night did not measure it" in text
    # the perplexity chart beside it still shows every adapter
    assert [r["adapter_id"] for r in window.persona.chart.points] == [1, 2, 3]


def test_a_long_fact_is_shown_whole_in_its_row(window, qtbot):
    """A fact's value wraps in its row at the width the pane is shown at (Pepys's "appears in 199
    moments, 1662-01-0…" was cut at two lines in the first window), and reads whole in its tooltip."""
    window.show_view("Persona")
    table = window.persona.table
    qtbot.waitUntil(table.isVisible, timeout=5_000)
    row = next(i for i in range(table.rowCount()) if "blue door" in table.item(i, 2).text())
    item = table.item(row, 2)
    lines = table.fontMetrics().boundingRect(0, 0, table.columnWidth(2) - 8, 10_000, Qt.TextWordWrap,
                                             item.text()).height()
    assert table.rowHeight(row) >= lines, (table.rowHeight(row), lines, item.text())
    assert item.toolTip() == item.text()
