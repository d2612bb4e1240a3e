"""The nightly consolidation from the command line: run it now, keep a schedule, or show its status."""
from __future__ import annotations

import argparse
import json
import sys

from sideload.cli.common import context, emit, open_vault, run_job
from sideload.errors import EXIT_OK, EXIT_PARTIAL


def cmd_consolidate(args: argparse.Namespace) -> int:
    from sideload.learn import consolidate, schedule

    if args.status:
        with open_vault(args) as vault:
            doc = {"running": consolidate.running(vault.paths),
                   "next_run": schedule.next_run(vault.settings).isoformat(timespec="minutes"),
                   "last_report": consolidate.last_report(vault.db)}
        emit(args, doc, lambda: print(json.dumps(doc, indent=2)))
        return EXIT_OK
    if args.schedule:
        with open_vault(args) as vault:
            sched = context(args).scheduler(vault)
            when = schedule.next_run(vault.settings)
        sys.stderr.write(f"sideload: consolidating nightly at {when:%H:%M} (next {when:%Y-%m-%d %H:%M}); Ctrl-C stops\n")
        try:
            sched.start()
        except (KeyboardInterrupt, SystemExit):
            pass
        return EXIT_OK
    consolidate.lower_priority()
    with open_vault(args, write=True) as vault:
        if args.token_budget:
            vault.settings.set("train_token_budget", args.token_budget)  # this run only, not saved
        report = run_job(args, lambda ctx: context(args).consolidate(vault, ctx, only=set(args.only or []) or None))

    def human() -> None:
        for st in report["steps"]:
            extra = f"  ({st['error']})" if st.get("error") else ""
            print(f"{st['name']:<28} {st['status']:<8} {st['seconds']:>8.1f} s{extra}")
        for line in report["learnt"]:
            print(f"- {line}")

    emit(args, report, human)
    return EXIT_PARTIAL if report["status"] == "failed" else EXIT_OK


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("consolidate", parents=[common],
                       help="run the nightly consolidation now (import new, re-embed, profile, train, evaluate, promote)")
    p.add_argument("--only", action="append",
                   choices=("backup", "import", "re-embed", "passages", "people", "profile", "train", "retention"),
                   help="run only these steps (repeatable)")
    p.add_argument("--token-budget", type=int, metavar="N", help="train on N tokens this run (default: the setting)")
    p.add_argument("--schedule", action="store_true", help="stay running and consolidate nightly at nightly_time")
    p.add_argument("--status", action="store_true", help="whether one is running, the next run, the last report")
    p.set_defaults(func=cmd_consolidate)
