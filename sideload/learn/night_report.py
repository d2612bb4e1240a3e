"""The night's report, in plain words: what was imported, the new activities, people and places, the
persona's figures before and after (perplexity, likeness, coherence) and what it now gets right that
it got wrong. `consolidate --json` returns it and the app shows it; its fields only ever grow.

New people and places are those the profile knows now and the last report did not (the import step
refreshes the profile too, so the profile step alone would miss some); the first report names all.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sideload.persona import profile, serving
from sideload.store import learning
from sideload.store.vault import Vault

# what the persona section carries from the train step's result: always these ...
PERSONA_KEYS = ("promoted", "adapter_id", "reason", "ppl_base", "ppl_previous", "ppl_new", "train_tokens",
                "tokens_per_s", "set")
# ... and the four-way choices, where the night measured them
CHOICE_KEYS = ("choices", "choices_before", "likeness_previous", "likeness_new", "likeness_items",
               "coherence_previous", "coherence_new", "coherence_items", "likeness_distractors", "likeness_note",
               "now_right", "now_right_count")
NAMED = 8  # names listed in one line; the rest counted


def build(vault: Vault, run_id: int, started: datetime, results: list, status: str,
          interrupted: list[int]) -> dict[str, Any]:
    served = serving.served(vault.db)
    persona: dict[str, Any] = {"served_adapter": served and served["adapter_id"]}
    train: dict[str, Any] = {}
    for r in results:
        res = r.detail.get("result") or {}
        if r.name.startswith("train") and "promoted" in res:
            train = res
            persona.update({k: res.get(k) for k in PERSONA_KEYS})
            persona.update({k: res[k] for k in CHOICE_KEYS if k in res})
    new_people = _new_people_and_places(vault)
    changes: dict[str, Any] = {"new_activities": [], "gone_activities": [], **new_people,
                               "likeness": _before_after(train, "likeness"),
                               "coherence": _before_after(train, "coherence"),
                               "now_right": train.get("now_right", [])}
    learnt = []
    for r in results:
        res = r.detail.get("result") or {}
        if r.name == "import new" and res.get("imported"):
            learnt.append(f"{res['imported']} new file(s), {res.get('moments', 0)} moment(s)")
        if r.name == "re-embed" and res.get("reembedded"):
            learnt.append(f"{res['reembedded']} moment(s) re-embedded with {res.get('model')}")
        if r.name == "activities" and (res.get("new") or res.get("gone")):
            changes["new_activities"], changes["gone_activities"] = res.get("new") or [], res.get("gone") or []
            learnt.append("; ".join(x for x in (
                res.get("new") and "new activities: " + ", ".join(res["new"]),
                res.get("gone") and "no longer seen: " + ", ".join(res["gone"])) if x))
        if r.name == "profile" and res.get("facts"):
            learnt.extend(_named(f"new {word}", new_people[key]) for key, word in
                          (("new_people", "people"), ("new_places", "places")) if new_people[key])
            learnt.append("profile refreshed: " + ", ".join(f"{n} {kind} fact(s)" for kind, n in res["facts"].items()))
        if r.name.startswith("retention") and res.get("files"):
            learnt.append(f"retention: {res['files']} original(s) {'reduced' if res['action'] == 'reduce' else 'deleted'}, "
                          f"{res['bytes_freed']:,} bytes freed")
        if r.name.startswith("train") and res.get("promoted"):
            learnt.append(f"persona adapter v{res['adapter_id']} now serves: {res['reason']}")
        elif r.name.startswith("train") and res.get("reason"):
            learnt.append(f"persona unchanged: {res['reason']}")
        if r.name.startswith("train") and "ppl_new" in res:
            learnt.extend(_choice_lines(res))
    if not any(r.name == "profile" and (r.detail.get("result") or {}).get("facts") for r in results):
        learnt.extend(_named(f"new {word}", new_people[key]) for key, word in
                      (("new_people", "people"), ("new_places", "places")) if new_people[key])
    return {"run_id": run_id, "started_at": started.isoformat(timespec="seconds"),
            "seconds": round((datetime.now() - started).total_seconds(), 1), "status": status,
            "resumed_after": interrupted, "learnt": learnt, "steps": [r.as_json() for r in results],
            "persona": persona, "changes": changes}


def _named(label: str, names: list[str]) -> str:
    more = f" and {len(names) - NAMED} more" if len(names) > NAMED else ""
    return f"{label}: " + ", ".join(names[:NAMED]) + more


def _new_people_and_places(vault: Vault) -> dict[str, list[str]]:
    """People and places the profile knows now and the last report did not; remembered for the next."""
    now = {"person": [], "place": []}
    for f in profile.facts(vault.db):
        if f["kind"] in now:
            now[f["kind"]].append(f["key"])
    before = learning.reported_profile_keys(vault.db) or {}
    with vault.transaction() as tx:
        learning.set_reported_profile_keys(tx, now)
    return {"new_people": [k for k in now["person"] if k not in set(before.get("person", []))],
            "new_places": [k for k in now["place"] if k not in set(before.get("place", []))]}


def _before_after(res: dict[str, Any], test: str) -> dict[str, Any] | None:
    if res.get(f"{test}_new") is None:
        return None
    return {"before": res.get(f"{test}_previous"), "after": res[f"{test}_new"], "items": res.get(f"{test}_items"),
            "before_is": res.get("choices_before"), "after_is": f"adapter v{res.get('adapter_id')}"}


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.0f} %"


def _choice_lines(res: dict[str, Any]) -> list[str]:
    """Likeness and coherence before and after, and a few of the items now right, said plainly."""
    lines, before = [], res.get("choices_before") or "the base model"
    if res.get("likeness_new") is not None:
        lines.append(f"likeness (my own words picked out from three of someone else's, chance 25 %, "
                     f"{res.get('likeness_items')} held-out items): {_pct(res.get('likeness_previous'))} with {before}, "
                     f"{_pct(res['likeness_new'])} with the new adapter")
    else:
        lines.append(f"likeness not measured: {res.get('likeness_note') or 'no items'}")
    if res.get("coherence_new") is not None:
        lines.append(f"coherence (the real next words of my own passage among three from my other passages, "
                     f"{res.get('coherence_items')} items): {_pct(res.get('coherence_previous'))} with {before}, "
                     f"{_pct(res['coherence_new'])} with the new adapter")
    right = res.get("now_right") or []
    if right:
        lines.append(f"the persona now gets right {res.get('now_right_count', len(right))} item(s) it got wrong, e.g. "
                     + "; ".join(f"after \u201c{q['opening']}\u201d it now picks my own \u201c{q['real']}\u201d, "
                                 f"not \u201c{q['chose_before']}\u201d" for q in right[:2]))
    elif res.get("likeness_new") is not None or res.get("coherence_new") is not None:
        lines.append("the persona gets no held-out item right that it got wrong before")
    return lines
