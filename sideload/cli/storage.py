"""`sideload storage`: what the lifelog takes on disk, five years ahead, and what retention would do."""
from __future__ import annotations

import argparse

from sideload.cli.common import emit, open_vault
from sideload.errors import EXIT_OK


def size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def _print_plan(plan: dict) -> None:
    if not plan["active"]:
        print(f"retention: {plan.get('note', 'off')}")
        return
    print(f"retention: {plan['action']} original videos recorded before {plan['cutoff'][:10]} "
          f"({plan['months']} months): {len(plan['files'])} file(s), {size(plan['bytes'])} now, "
          f"about {size(plan['bytes_freed_estimate'])} freed; consolidation applies it")
    for f in plan["files"]:
        print(f"  {f['action']:<7} {f['day']}  {size(f['bytes']):>9}  {f['path']}")
    for f in plan["skipped"]:
        print(f"  left    {f['path']}  ({f['reason']})")
    if not plan["files"]:
        print("  nothing to do now")


def cmd_storage(args: argparse.Namespace) -> int:
    from sideload.lifecycle import retention, storage

    with open_vault(args) as vault:
        doc = {"retention_plan": retention.plan(vault)} if args.plan else storage.report(vault)
    if args.plan:
        emit(args, doc, lambda: _print_plan(doc["retention_plan"]))
        return EXIT_OK

    def human() -> None:
        print(f"{doc['vault']}: {size(doc['bytes'])} in all "
              f"({size(doc['originals_outside_vault_bytes'])} of originals outside the vault)")
        for kind, v in doc["kinds"].items():
            files = f"  {v['files']} file(s)" if v.get("files") else ""
            print(f"  {kind:<10} {size(v['bytes']):>10}{files}")
        for m in doc["months"]:
            print(f"  {m['month']}  {size(m['bytes']):>10}")
        proj = doc["projection"]
        print(f"{doc['recorded_days']} recorded day(s), {size(proj['bytes_per_recorded_day'])} a day: "
              f"five years at this rate take {size(proj['bytes'])}"
              + (f", {size(proj['bytes_with_retention'])} with the retention policy"
                 if "bytes_with_retention" in proj else ""))
        if doc["missing_originals"]:
            print(f"{len(doc['missing_originals'])} original(s) not found (an unplugged drive?)")
        _print_plan(doc["retention_plan"])

    emit(args, doc, human)
    return EXIT_OK


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("storage", parents=[common],
                       help="what the vault and the originals take per day, month and kind; five years ahead")
    p.add_argument("--plan", action="store_true", help="only what the retention policy would do now (changes nothing)")
    p.set_defaults(func=cmd_storage)
