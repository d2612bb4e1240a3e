"""Commands that fill and read the lifelog: init, import, moments, search, settings."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from sideload import timefmt
from sideload.cli.common import context, emit, open_vault, run_job
from sideload.errors import EXIT_OK, EXIT_PARTIAL, SideloadError


def cmd_init(args: argparse.Namespace) -> int:
    with context(args).init() as vault:
        root = str(vault.paths.root)
        if args.owner:
            vault.settings.set("owner_name", args.owner.strip())
            vault.settings.save()
        owner = vault.settings["owner_name"]
    emit(args, {"vault": root, **({"owner": owner} if owner else {})},
         lambda: print(f"vault ready at {root}" + (f" for {owner}" if owner else
                                                   "; say whose life it is with `sideload settings owner_name NAME`")))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    inputs = [Path(p) for p in args.paths]
    if args.address and args.engine != "ray":
        raise SideloadError("--address names a Ray cluster to join; add --engine ray", kind="usage")
    if args.dry_run:
        with open_vault(args) as vault:
            plan = context(args).import_session(vault, None, read_only=True).plan(inputs)
        doc = plan.as_json()

        def human_plan() -> None:
            for f in plan.would_import:
                print(f"import  {f['path']}  ({f['importer']})")
            for f in plan.would_skip:
                print(f"skip    {f['path']}  ({f['reason']})")
            for f in plan.failed:
                print(f"fail    {f['path']}  ({f['reason']})")
            print(f"{len(plan.would_import)} file(s) would be imported, {len(plan.would_skip)} skipped, "
                  f"{len(plan.failed)} refused")

        emit(args, doc, human_plan)
        return EXIT_OK
    with open_vault(args, write=True) as vault:
        result = run_job(args, lambda ctx: context(args).import_session(
            vault, ctx, engine=args.engine, address=args.address).run(inputs))

    def human() -> None:
        print(f"imported {result.imported} file(s), skipped {result.skipped} already in the vault, "
              f"{result.moments} new moment(s)")
        for f in result.failed:
            print(f"  failed: {f['path']}: {f['reason']}")

    emit(args, result.as_json(), human)
    return EXIT_PARTIAL if result.failed else EXIT_OK


def cmd_moments(args: argparse.Namespace) -> int:
    from sideload import documents

    documents.parse_day(args.day, "--day")  # a bad argument is a usage error, vault or no vault
    with open_vault(args) as vault:
        moments = documents.moments(vault, day=args.day, source=args.source)["moments"]

    def human() -> None:
        if not moments:
            print("no moments")
        for m in moments:
            who = f" [{m['speaker']}]" if m["speaker"] else ""
            body = m["text"] or m["caption"] or ""
            when = timefmt.short_when(m["started_at"], guessed=timefmt.is_guess(m.get("time_source")))
            print(f"{when:<24} {m['kind']:<6}{who} {body[:100]}")

    emit(args, {"moments": moments}, human)
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    from sideload import documents

    with open_vault(args) as vault:  # the same document `sideload serve` returns
        doc = documents.search(vault, lambda: context(args).searcher(vault), args.query, limit=args.limit,
                               date_from=args.from_, date_to=args.to, speaker=args.speaker, kind=args.kind,
                               source=args.source, mode=args.mode)
    results, understood = doc["results"], doc.get("understood")

    def human() -> None:
        if understood:
            print(f"(time: {', '.join(understood['time_phrases'])})")
        if not results:
            print("nothing found")
        for m in results:
            where = f"{Path(m['source']).name} at {timefmt.offset(m['start_s'])}–{timefmt.offset(m['end_s'])}"
            body = (m["text"] or m["caption"] or "").replace("\n", " ")
            when = timefmt.short_when(m["started_at"], guessed=timefmt.is_guess(m.get("time_source")))
            print(f"{m['score']:.2f}  {when:<24} [{m['speaker'] or m['kind']}] {body[:90]}\n"
                  f"      {where}")

    emit(args, doc, human)
    return EXIT_OK


def cmd_settings(args: argparse.Namespace) -> int:
    from sideload.settings import SCHEMA

    if args.value is not None:
        with open_vault(args, write=True) as vault:
            vault.settings.set(args.name, args.value)
            vault.settings.save()
            doc = {args.name: vault.settings[args.name]}
        emit(args, doc, lambda: print(f"{args.name} = {json.dumps(doc[args.name])}"))
        return EXIT_OK
    with open_vault(args) as vault:
        if args.name:
            doc = {args.name: vault.settings.get(args.name)}
            emit(args, doc, lambda: print(json.dumps(doc[args.name])))
            return EXIT_OK
        values = vault.settings.as_dict()
    doc = {"settings": [{"name": s.name, "value": values[s.name], "default": s.default, "type": s.type,
                         "description": s.description} for s in SCHEMA]}

    def human() -> None:
        for s in SCHEMA:
            print(f"{s.name:<22} {json.dumps(values[s.name]):<12} {s.description}")

    emit(args, doc, human)
    return EXIT_OK


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("init", parents=[common], help="create the vault")
    p.add_argument("--owner", metavar="NAME", help="whose life it is (the persona speaks as them)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("import", parents=[common], help="import and fully process files and folders")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--dry-run", action="store_true",
                   help="list what would be imported and why the rest would not; change nothing")
    p.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="where the per-file stages run: here (local, the default) or on a Ray cluster (ray; "
                        "needs the cluster extra); either way the vault is written by this process alone")
    p.add_argument("--address", metavar="ADDR",
                   help="with --engine ray: the Ray cluster to join (HOST:PORT or auto); else the ray_address "
                        "setting, else a Ray runtime started on this machine for the import")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("moments", parents=[common], help="list moments in time order")
    p.add_argument("--day", metavar="YYYY-MM-DD")
    p.add_argument("--source", metavar="PATH")
    p.set_defaults(func=cmd_moments)

    p = sub.add_parser("search", parents=[common], help="find moments: ranked, filtered, as tight as the evidence")
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--from", dest="from_", metavar="DATE")
    p.add_argument("--to", metavar="DATE")
    p.add_argument("--speaker", choices=("me", "other", "unknown"))
    p.add_argument("--kind", choices=("speech", "scene", "photo", "text"))
    p.add_argument("--source", metavar="PATH", help="a file, or a folder of files")
    p.add_argument("--mode", choices=("hybrid", "dense", "keyword"), default="hybrid",
                   help="hybrid (default) fuses meaning and words")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("settings", parents=[common], help="list, show or change settings")
    p.add_argument("name", nargs="?")
    p.add_argument("value", nargs="?")
    p.set_defaults(func=cmd_settings)
