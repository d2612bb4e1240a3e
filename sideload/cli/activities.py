"""The activities command: what the person does, discovered from their moments, and the owner's word on it.

    sideload activities                    every activity: number, name, how often, when, a typical phrase
    sideload activities moments ID         an activity's moments
    sideload activities rename ID NAME     "call it 'morning coffee'" (kept through every rediscovery)
    sideload activities merge A B          A is part of B from now on (B keeps its number and name)
    sideload activities split ID           two activities where there was one (kept apart from now on)
    sideload activities refresh            rediscover now (consolidation does it each night)
"""
from __future__ import annotations

import argparse

from sideload.cli.common import checked_action, emit, number, open_vault
from sideload.errors import EXIT_OK

USAGE = "activities takes list, moments ID, rename ID NAME, merge A B, split ID or refresh"
ARGS = {"list": 0, "refresh": 0, "moments": 1, "rename": 2, "merge": 2, "split": 1}


def _id(value: str) -> int:
    return number(value, "an activity", "activities")


def _line(a: dict) -> str:
    when = f"around {a['peak_hour']:02d}:00" if a.get("peak_hour") is not None else ""
    mark = " (your name)" if a["named_by"] == "owner" else ""
    return f"{a['activity_id']:>4}  {a['name'][:34]:<34} {a['episodes']:>5} time(s) {when:<12} {a['phrase'][:60]}{mark}"


def cmd_activities(args: argparse.Namespace) -> int:
    from sideload.persona import activity_edits as edits
    from sideload.store import queries

    action = checked_action(args, "activities", ARGS, USAGE,
                            {"moments": "ID", "rename": "ID NAME", "merge": "A B", "split": "ID"},
                            ("rename", "morning coffee"))
    if action in ("list", "moments"):
        with open_vault(args) as vault:
            if action == "list":
                doc = {"activities": edits.listing(vault.db)}
            else:
                act = edits.one(vault.db, _id(args.args[0]))
                from sideload.store import activities as store

                doc = {"activity": act, "moments": queries.moments_by_ids(
                    vault.db, store.moment_ids_of(vault.db, act["activity_id"], 200))}

        def shown() -> None:
            if action == "list":
                print("\n".join(_line(a) for a in doc["activities"])
                      or "no activities yet: they are found in timed moments (import some, then consolidate)")
                return
            print(_line(doc["activity"]))
            for m in doc["moments"]:
                print(f"      {m['started_at'] or '?':<25} {m['kind']:<6} {(m['text'] or m['caption'] or '')[:90]}")

        emit(args, doc, shown)
        return EXIT_OK
    with open_vault(args, write=True) as vault:
        if action == "refresh":
            doc = edits.refresh(vault)
            doc["activities"] = doc.pop("list")
        elif action == "rename":
            doc = edits.rename(vault, _id(args.args[0]), args.args[1])
        elif action == "merge":
            doc = edits.merge(vault, _id(args.args[0]), _id(args.args[1]))
        else:
            doc = edits.split(vault, _id(args.args[0]))

    def told() -> None:
        if action == "refresh":
            print(f"{doc['activities'] and len(doc['activities'])} activit(ies) in {doc['episodes']} episode(s)"
                  + (f"; new: {', '.join(doc['new'])}" if doc["new"] else ""))
        for a in doc.get("activities", []) if isinstance(doc.get("activities"), list) else []:
            print(_line(a))
        if "activity" in doc:
            print(_line(doc["activity"]))

    emit(args, doc, told)
    return EXIT_OK


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("activities", parents=[common],
                       help="what the person does, found in their moments: list | moments ID | rename ID NAME | "
                            "merge A B | split ID | refresh")
    p.add_argument("action", nargs="?", metavar="ACTION")
    p.add_argument("args", nargs="*", metavar="ARG")
    p.set_defaults(func=cmd_activities)
