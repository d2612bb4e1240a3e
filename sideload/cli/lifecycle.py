"""Commands that keep, hide, remove and hand over: private, forget, export, open-legacy."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sideload import paths
from sideload.cli.common import emit, open_vault, passphrase
from sideload.errors import EXIT_OK, SideloadError


def cmd_private(args: argparse.Namespace) -> int:
    from sideload.lifecycle import privacy

    if not args.kind:
        with open_vault(args) as vault:
            doc = privacy.summary(vault.db)
    else:
        if not args.values:
            raise SideloadError(f"name at least one {args.kind} to mark", kind="usage")
        with open_vault(args, write=True) as vault:
            doc = privacy.mark(vault, args.kind, args.values, release=args.release)

    def human() -> None:
        for r in doc["rules"]:
            print(f"private {r['kind']:<7} {r['value']}   (since {r['since']})")
        print(f"{doc['private']} moment(s) private" + (f", {doc['changed']} changed now" if "changed" in doc else ""))

    emit(args, doc, human)
    return EXIT_OK


def cmd_forget(args: argparse.Namespace) -> int:
    from sideload.lifecycle.forget import forget

    if bool(args.moment_ids) == bool(args.source):
        raise SideloadError("forget takes moment ids, or --source PATH (one of the two)", kind="usage")
    with open_vault(args, write=True) as vault:
        n = forget(vault, moment_ids=args.moment_ids or None, source=args.source)
    emit(args, {"forgotten": n}, lambda: print(f"forgot {n} moment(s), everywhere"))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from sideload.lifecycle.legacy import export, write_shares

    secret = passphrase(args, confirm=True)
    out = Path(args.out).expanduser().resolve()
    with open_vault(args) as vault:
        n, shares = export(vault, out, secret, media=args.media, trustees=args.trustees, threshold=args.threshold)
    doc: dict[str, Any] = {"out": str(out), "moments": n}
    if shares:
        doc["shares"] = [str(p) for p in write_shares(shares, Path(args.shares_out or out.parent).expanduser(),
                                                      out.stem)]
    emit(args, doc, lambda: print(f"preserved {n} moments in {out}"
                                  + (f"; {len(shares)} trustee shares in {Path(doc['shares'][0]).parent}"
                                     if shares else "")))
    return EXIT_OK


def cmd_open_legacy(args: argparse.Namespace) -> int:
    from sideload.cli.launch import launch_app
    from sideload.lifecycle.legacy import open_legacy, read_shares

    shares = read_shares([Path(f) for f in args.share_file or []])
    dest = Path(args.to).expanduser().resolve() if args.to else paths.user_data_dir() / "legacy" / Path(args.file).stem
    counts = open_legacy(Path(args.file), dest, passphrase=None if shares else passphrase(args), shares=shares or None)
    doc = {"vault": str(dest), **counts, "read_only": True}
    emit(args, doc, lambda: print(f"opened a preserved sideload ({counts['moments']} moments) read-only at {dest}\n"
                                  f"  search it:  sideload --vault {dest} search \"...\"\n"
                                  f"  ask it:     sideload --vault {dest} ask \"...\""))
    if args.gui:
        return launch_app(dest)
    return EXIT_OK


def cmd_repair(args: argparse.Namespace) -> int:
    from sideload.cli.common import run_job
    from sideload.lifecycle.repair import repair

    with open_vault(args, write=True) as vault:
        doc = run_job(args, lambda ctx: repair(vault, ctx, full=args.full))

    def human() -> None:
        print(f"catalogue  {doc['catalogue']['state']} (checked {doc['catalogue']['checked']})")
        ix = doc["index"]
        print(f"index      {ix['state']}" + (f" ({ix['detail']})" if ix["detail"] else "")
              + (f"; rebuilt with {ix['rebuilt']} vectors" if ix["rebuilt"] else ""))
        v = doc["vectors"]
        print(f"vectors    {v['state']}" + (f"; rebuilt with {v['rebuilt']} rows" if v.get("rebuilt") else ""))

    emit(args, doc, human)
    return EXIT_OK


def cmd_retime(args: argparse.Namespace) -> int:
    from sideload import timefmt
    from sideload.cli.common import run_job
    from sideload.lifecycle.retime import parse_at, parse_shift, retime

    if bool(args.at) == bool(args.shift):
        raise SideloadError("retime takes --at ISO or --shift +HH:MM (one of the two)", kind="usage")
    at = parse_at(args.at) if args.at else None
    shift = parse_shift(args.shift) if args.shift else None
    with open_vault(args, write=True) as vault:
        done = run_job(args, lambda ctx: retime(vault, args.path, at=at, shift=shift,
                                                only_guessed=args.only_guessed, ctx=ctx))
    doc = done.as_json()

    def human() -> None:
        moved = f" by {timefmt.signed_shift(done.shift_s)}" if done.shift_s else ""
        print(f"moved {done.moments} moment(s) of {len(done.files)} file(s){moved}")
        for f in done.skipped:
            print(f"  not moved: {f['path']}: {f['reason']}")

    emit(args, doc, human)
    return EXIT_OK


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("retime", parents=[common],
                       help="correct when a file or a folder of files was recorded (a guessed time, a wrong camera "
                            "clock): every moment under PATH moves")
    p.add_argument("path", metavar="PATH", help="an imported file, or a folder: every imported file under it")
    p.add_argument("--at", metavar="ISO", help="when it started, local time (2026-03-07T10:00); over several files "
                                               "the earliest starts then and the rest keep their distance to it")
    p.add_argument("--shift", metavar="+HH:MM", help="move by this much: +01:30, +1d 02:00, or --shift=-00:30 for back")
    p.add_argument("--only-guessed", action="store_true",
                   help="only the files whose time was guessed from the file date")
    p.set_defaults(func=cmd_retime)

    p = sub.add_parser("repair", parents=[common],
                       help="check the vault and rebuild its search index and vector matrix from the catalogue")
    p.add_argument("--full", action="store_true", help="also check every page of the catalogue (slow on big vaults)")
    p.set_defaults(func=cmd_repair)

    p = sub.add_parser("private", parents=[common],
                       help="mark moments, days, places or people private (never exported, not trained on); "
                            "no arguments lists the rules")
    p.add_argument("kind", nargs="?", choices=("moment", "day", "place", "person", "source"))
    p.add_argument("values", nargs="*", metavar="VALUE", help="moment ids, YYYY-MM-DD days, place or person names, paths")
    p.add_argument("--release", action="store_true", help="take the mark back (the owner releases it)")
    p.set_defaults(func=cmd_private)

    p = sub.add_parser("forget", parents=[common],
                       help="remove moments everywhere: catalogue, index, derived files, chats")
    p.add_argument("moment_ids", nargs="*", metavar="MOMENT_ID")
    p.add_argument("--source", metavar="PATH", help="every moment of one imported file")
    p.set_defaults(func=cmd_forget)

    p = sub.add_parser("export", parents=[common], help="write an encrypted, portable sideload for the family")
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--passphrase-file", metavar="F")
    p.add_argument("--media", choices=("none", "all"), default="none", help="take the original media along")
    p.add_argument("--trustees", type=int, default=0, metavar="N", help="split the key into N printable shares")
    p.add_argument("--threshold", type=int, default=0, metavar="K", help="any K shares open it")
    p.add_argument("--shares-out", metavar="DIR")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("open-legacy", parents=[common], help="open a preserved sideload read-only (family mode)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--passphrase-file", metavar="F")
    p.add_argument("--share-file", action="append", metavar="F", help="a trustee's share (give k of them)")
    p.add_argument("--to", metavar="DIR", help="where to unpack it (default: the per-user data folder)")
    p.add_argument("--gui", action="store_true", help="open the app on it")
    p.set_defaults(func=cmd_open_legacy)
