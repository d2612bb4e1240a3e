"""`sideload demo`: build the demo vault from the built-in sample day and tour it.

It imports the day with the real pipeline, searches it and asks the persona, all through the same
application context as every other face; the command line opens the app on it unless --no-gui.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable

from sideload import paths
from sideload.context import AppContext
from sideload.demo import sampleday


def build_demo_vault(vault_dir: Path, day_dir: Path, run_job, *, fresh: bool = True,
                     context: AppContext | None = None):
    """(vault folder, import result) for the sample day imported with the real pipeline."""
    sampleday.ensure(day_dir)
    if fresh and vault_dir.exists():
        shutil.rmtree(vault_dir)
    context = context or AppContext(vault_dir)
    with context.init() as vault:
        vault.settings.set("owner_name", sampleday.OWNER_NAME)
        vault.settings.save()
        result = run_job(lambda ctx: context.import_session(vault, ctx).run([day_dir]))
    return vault_dir, result


TOUR_ASK = "where did I put my passport?"
TOUR_QUESTIONS = ("where did I put my travel document?", "what did the dentist find?",
                  "when are the budget numbers due?")


def run_demo(vault_dir: Path, run_job: Callable, *, context: AppContext | None = None) -> dict[str, Any]:
    """Build the demo vault and return the tour: what was imported, three searches and one answer."""
    from sideload.recall.search import build_request

    context = context or AppContext(vault_dir)
    day_dir = paths.demo_day_dir()
    _, result = build_demo_vault(vault_dir, day_dir, run_job, context=context)
    with context.open() as vault:
        counts = vault.counts()
        moments = vault.moments()
        searcher = context.searcher(vault)
        days = [d for d, _ in vault.days()]
        searches = [{"query": q, "results": searcher.search(build_request(days, q, limit=2))} for q in TOUR_QUESTIONS]
        asked = context.persona(vault).ask(TOUR_ASK)
    return {"vault": str(vault_dir), "sample_day": str(day_dir), "import": result.as_json(), **counts,
            "mine": sum(1 for m in moments if m["speaker"] == "me"),
            "kinds": {k: sum(1 for m in moments if m["kind"] == k) for k in ("speech", "scene", "photo", "text")},
            "searches": searches, "day": moments,
            "ask": {"question": TOUR_ASK, **asked.as_json()}}


def print_tour(tour: dict[str, Any]) -> None:
    vault_dir, day_dir, counts = tour["vault"], tour["sample_day"], tour
    moments, searches = tour["day"], tour["searches"]
    print(f"Sideload demo: a sample Monday ({sampleday.DAY}) of {sampleday.OWNER_NAME}, who wears a camera.")
    print(f"  sample files : {day_dir}")
    print(f"  demo vault   : {vault_dir}")
    print(f"  imported {tour['import']['imported']} files into {counts['moments']} moments "
          f"({', '.join(f'{n} {k}' for k, n in tour['kinds'].items())}); "
          f"{tour['mine']} of them in {sampleday.OWNER_NAME}'s own voice or words.\n")
    print("The day, in time order (speech is transcribed by Whisper; 'me' is the wearer's voice):")
    for m in moments:
        when = (m["started_at"] or "")[11:19] or "(day)   "
        who = {"me": "me   ", "other": "other", "unknown": "?    "}.get(m["speaker"] or "", "     ")
        body = (m["text"] or m["caption"] or "").replace("\n", " ")
        print(f"  {when}  {m['kind']:<6} {who} {body[:88]}")
    print("\nSearch (paraphrased questions; hybrid of meaning and words):")
    for s in searches:
        print(f"  ? {s['query']}")
        for m in s["results"]:
            body = (m["text"] or m["caption"] or "").replace("\n", " ")
            print(f"      {m['score']:.2f}  {(m['started_at'] or '')[11:16] or m['started_at']}  "
                  f"{Path(m['source']).name} @ {m['start_s']:.0f}s  {body[:70]}")
    print(f"\nAsk the persona (it answers as {sampleday.OWNER_NAME}, quoting what it remembers):")
    print(f"  ? {TOUR_ASK}")
    for line in tour["ask"]["answer"].splitlines():
        print(f"    {line}")
    print(f"\nTry:  sideload --vault {vault_dir} moments --day {sampleday.DAY} --json")
    print(f"      sideload --vault {vault_dir} app")
