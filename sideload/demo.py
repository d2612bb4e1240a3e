"""`sideload demo`: build the demo vault from the built-in sample day and show it.

It grows with each capability: today it imports the day with the real pipeline and tours the
timeline; the app opens on it unless --no-gui.
"""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from . import paths, sampleday
from .errors import EXIT_OK
from .vault import Vault


def build_demo_vault(vault_dir: Path, day_dir: Path, run_job, *, fresh: bool = True):
    """(vault folder, import result) for the sample day imported with the real pipeline."""
    from models.hub import ModelHub

    from .ingest import ImportSession

    sampleday.ensure(day_dir)
    if fresh and vault_dir.exists():
        shutil.rmtree(vault_dir)
    with Vault.init(vault_dir) as vault:
        vault.settings.set("owner_name", sampleday.OWNER_NAME)
        vault.settings.save()
        hub = ModelHub(vault.settings)
        result = run_job(lambda ctx: ImportSession(vault, hub, ctx).run([day_dir]))
    return vault_dir, result


TOUR_ASK = "where did I put my passport?"
TOUR_QUESTIONS = ("where did I put my travel document?", "what did the dentist find?",
                  "when are the budget numbers due?")


def _searches(vault: Vault) -> list[dict]:
    from .cli import open_searcher
    from .search import build_request

    searcher = open_searcher(vault)
    days = [d for d, _ in vault.days()]
    return [{"query": q, "results": searcher.search(build_request(days, q, limit=2))} for q in TOUR_QUESTIONS]


def run_demo(args: argparse.Namespace, run_job, emit) -> int:
    vault_dir = Path(args.vault).expanduser().resolve() if args.vault else paths.demo_vault_dir()
    day_dir = paths.demo_day_dir()
    _, result = build_demo_vault(vault_dir, day_dir, lambda fn: run_job(args, fn))
    with Vault.open(vault_dir) as vault:
        counts = vault.counts()
        moments = vault.moments()
        searches = _searches(vault)
        from .cli import open_persona

        asked = open_persona(vault).ask(TOUR_ASK)
    tour = {"vault": str(vault_dir), "sample_day": str(day_dir), "import": result.as_json(), **counts,
            "mine": sum(1 for m in moments if m["speaker"] == "me"),
            "kinds": {k: sum(1 for m in moments if m["kind"] == k) for k in ("speech", "scene", "photo", "text")},
            "searches": searches,
            "ask": {"question": TOUR_ASK, **asked.as_json()}}

    def human() -> None:
        print(f"Sideload demo: a sample Monday ({sampleday.DAY}) of {sampleday.OWNER_NAME}, who wears a camera.")
        print(f"  sample files : {day_dir}")
        print(f"  demo vault   : {vault_dir}")
        print(f"  imported {result.imported} files into {counts['moments']} moments "
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
        for line in asked.text.splitlines():
            print(f"    {line}")
        print(f"\nTry:  sideload --vault {vault_dir} moments --day {sampleday.DAY} --json")
        print(f"      sideload --vault {vault_dir} app")

    emit(args, tour, human)
    if not args.no_gui:
        from ui.app import run_app

        return run_app(vault_dir)
    return EXIT_OK
