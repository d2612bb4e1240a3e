"""The people command: who is in the life, named once by the owner.

    sideload people                      everyone, with moments and when first and last seen
    sideload people moments ID           a person's moments
    sideload people name ID NAME         "this voice is Maria"
    sideload people merge A B            two people are one (A keeps its number)
    sideload people refresh              group the voices now (import and consolidation do it on their own)
"""
from __future__ import annotations

import argparse

from sideload.cli.common import checked_action, emit, number, open_vault
from sideload.errors import EXIT_OK

USAGE = "people takes list, moments ID, name ID NAME, merge A B or refresh"
ARGS = {"list": 0, "refresh": 0, "moments": 1, "name": 2, "merge": 2}


def _id(value: str) -> int:
    return number(value, "a person", "people")


def _line(p: dict) -> str:
    from sideload.lifecycle.people import HOW_NAMED, label

    span = f"{(p['first_seen'] or '?')[:10]} to {(p['last_seen'] or '?')[:10]}"
    how = "your voice" if p["owner"] else HOW_NAMED[p["named_by"]]
    return f"{p['person_id']:>4}  {label(p)[:28]:<28} {p['moments']:>6} moment(s)  {span}  ({how})"


def cmd_people(args: argparse.Namespace) -> int:
    from sideload.lifecycle import people

    action = checked_action(args, "people", ARGS, USAGE,
                            {"moments": "ID", "name": "ID NAME", "merge": "A B"},
                            ("name", "Aunt Maria"))
    if action == "list":
        with open_vault(args) as vault:
            doc = {"people": people.people(vault.db, vault.settings["owner_name"])}
        emit(args, doc, lambda: print("\n".join(_line(p) for p in doc["people"])
                                      or "no people yet: they come with speech and chats (import some)"))
        return EXIT_OK
    if action == "moments":
        with open_vault(args) as vault:
            doc = people.moments(vault.db, _id(args.args[0]), vault.settings["owner_name"])

        def human() -> None:
            print(_line(doc["person"]))
            for m in doc["moments"]:
                print(f"      {m['started_at'] or '?':<25} {m['kind']:<6} {(m['text'] or m['caption'] or '')[:90]}")

        emit(args, doc, human)
        return EXIT_OK
    with open_vault(args, write=True) as vault:
        if action == "refresh":
            from sideload.ingest.people import refresh

            doc = {**refresh(vault), "people": people.people(vault.db, vault.settings["owner_name"])}
        elif action == "name":
            doc = people.name(vault, _id(args.args[0]), args.args[1])
        else:
            doc = people.merge(vault, _id(args.args[0]), _id(args.args[1]))

    def told() -> None:
        if "person" in doc:
            print(_line(doc["person"]))
            if doc["merged"]:
                print(f"      merged into it: {', '.join(str(i) for i in doc['merged'])}")
        else:
            print(f"{doc['placed']} moment(s) placed, {doc['new_people']} new voice(s)")
            print("\n".join(_line(p) for p in doc["people"]))

    emit(args, doc, told)
    return EXIT_OK


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("people", parents=[common],
                       help="the people of the life, by voice and chat: list | moments ID | name ID NAME | "
                            "merge A B | refresh")
    p.add_argument("action", nargs="?", metavar="ACTION")
    p.add_argument("args", nargs="*", metavar="ARG")
    p.set_defaults(func=cmd_people)
