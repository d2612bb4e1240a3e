"""Four-way choices: likeness (the person's words among others') and coherence (among their own)."""
import json

import pytest

from conftest import cli_json, run_cli
from sideload.errors import SideloadError
from sideload.learn import likeness
from sideload.learn.likeness import Passage

ENTRY = ("Up early and to the office, where all the morning busy with the victuallers' accounts. "
         "Dined at home with my wife on a dish of eels, very good. In the afternoon by water to Whitehall "
         "to speak with my Lord about the ships, but he was gone to the Duke. So home again and to supper, "
         "and to bed, well pleased with the day.")


def test_a_passage_splits_at_a_sentence_end_and_short_ones_do_not():
    opening, rest = likeness.split_passage(ENTRY)
    assert opening.endswith("accounts.") or opening.endswith("good.") or opening.endswith("Duke.")
    assert ENTRY.startswith(opening) and rest.split()[0] in ENTRY and len(rest.split()) <= likeness.CONTINUATION_WORDS
    assert likeness.split_passage("Too short to test anything with.") is None


def test_items_hide_the_answer_and_give_length_nothing_away():
    passages = [Passage(f"Entry {i}. " + ENTRY.replace("eels", f"dish {i}"), f"1666-01-{i + 1:02d}") for i in range(6)]
    items = likeness.coherence_items(passages, limit=6)
    assert len(items) == 6 and {it.answer for it in items} != {items[0].answer}  # not always the same place
    for it in items:
        assert len(it.choices) == 4 and len({len(c.split()) for c in it.choices}) == 1
    others = ["Meet me at the station at six and bring the umbrella because it looks like rain later on today."] * 3 + \
             ["The match was cancelled so we went to the cinema instead, and the film was far too long for me."] * 3
    similar = likeness.likeness_items(passages, likeness.others_pool(others), limit=3)
    assert len(similar) == 3
    for it in similar:
        real = it.choices[it.answer]
        assert real.split()[0] in ENTRY and all(c.split()[0] not in ENTRY for i, c in enumerate(it.choices) if i != it.answer)
    # imitations from a different model: the pool is a writer called per opening
    written = likeness.likeness_items(passages, lambda opening: [f"and then I went on {k} times to the market"
                                                                 for k in range(3)], limit=2)
    assert len(written) == 2 and all(len(it.choices) == 4 for it in written)


def test_an_external_item_file_is_checked_line_by_line(tmp_path):
    good = tmp_path / "items.jsonl"
    good.write_text(json.dumps({"context": "Dear diary,", "choices": ["a b c", "d e f", "g h", "i j"], "answer": 2,
                                "date": "1666-09-02"}) + "\n\n")
    assert likeness.read_items(good)[0].answer == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text(good.read_text() + json.dumps({"context": "x", "choices": ["only one"], "answer": 0}) + "\n")
    with pytest.raises(SideloadError, match="bad.jsonl line 3 is not an item"):
        likeness.read_items(bad)
    with pytest.raises(SideloadError, match="no such file"):
        likeness.read_items(tmp_path / "none.jsonl")


OBVIOUS = [("The cat sat on the", ["mat and purred quietly in the warm afternoon sun by the window.",
                                   "seventeen exhaust gradient of the banana quantum did nor whether.",
                                   "purple if then however spoon gravel was the the of into.",
                                   "Tuesday ledger ionic seven over under nevertheless carpet the."]),
           ("I was very hungry, so I went to the kitchen and", [
               "crossing cobalt nine through spoon the over of was.",
               "made myself a sandwich with cheese and tomato, then ate it at the table.",
               "algebra whistle the seven of pelican during sideways.",
               "no yes perhaps umbrella the the nine of galaxy."])]


@pytest.mark.slow
def test_the_real_model_chooses_the_sensible_continuation_and_the_cli_scores_a_file(tmp_path, home):
    from models.llm import bundled_llm_path
    from models.scoring import llama_choose
    from sideload.learn.training import system_prompt

    msgs = [{"role": "system", "content": system_prompt("Ada")}, {"role": "user", "content": "Write what happened."}]
    assert llama_choose(bundled_llm_path(), [(msgs, c, ch) for c, ch in OBVIOUS]) == [0, 1]
    items = tmp_path / "items.jsonl"
    items.write_text("".join(json.dumps({"context": c, "choices": ch, "answer": a}) + "\n"
                             for a, (c, ch) in zip((0, 1), OBVIOUS)))
    vault = tmp_path / "v"
    run_cli("--vault", str(vault), "init", check=True)
    doc = cli_json("--vault", str(vault), "persona", "choose", "--items", str(items))
    assert doc["items"] == 2 and doc["choices"] == 4
    assert doc["base"]["choice_accuracy"] == 1.0 and doc["persona"]["adapter_id"] is None
    bad = run_cli("--vault", str(vault), "persona", "choose")
    assert bad.returncode == 2 and "--items" in bad.stderr
