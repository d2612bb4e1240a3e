"""`sideload dataset export|merge`: a consented, redacted research dataset, and many volunteers' joined."""
from __future__ import annotations

import argparse
from pathlib import Path

from sideload.cli.common import emit, open_vault, run_job
from sideload.errors import EXIT_OK, SideloadError


def _secret(args: argparse.Namespace) -> str:
    """The vault's dataset secret; the first export makes it (the one write an export does)."""
    from sideload.dataset.pseudonym import ensure_secret, secret_of

    with open_vault(args) as vault:
        found = secret_of(vault)
    if found:
        return found
    with open_vault(args, write=True) as vault:
        return ensure_secret(vault)


def cmd_export(args: argparse.Namespace) -> int:
    from sideload.dataset.export import export

    secret = _secret(args)
    with open_vault(args) as vault:
        doc = run_job(args, lambda ctx: export(vault, Path(args.out), secret=secret, ctx=ctx,
                                               keyframes=not args.no_keyframes))

    def human() -> None:
        print(f"exported {doc['moments']} moments ({doc['keyframes']} keyframes, {doc['faces_blurred']} faces "
              f"blurred) as volunteer {doc['volunteer']} in {doc['shards']} shard(s) to {doc['out']}")
        print(f"  left out: {doc['left_out']['private']} private moment(s); someone else's words replaced in "
              f"{doc['redacted_words']}; kept for consenting people in {doc['consented_words']}")
        print(f"  read {Path(doc['out']) / 'README.md'} (the dataset card) before you share it")

    emit(args, doc, human)
    return EXIT_OK


def cmd_merge(args: argparse.Namespace) -> int:
    from sideload.dataset.merge import merge

    inputs = [Path(p) for p in args.exports]
    if args.engine == "ray":
        from sideload.dataset.on_ray import ray_mapper

        with ray_mapper(args.address) as mapper:
            doc = run_job(args, lambda ctx: merge(inputs, Path(args.out), ctx=ctx, mapper=mapper))
    else:
        if args.address:
            raise SideloadError("--address is for --engine ray", kind="usage")
        doc = run_job(args, lambda ctx: merge(inputs, Path(args.out), ctx=ctx))

    def human() -> None:
        for s in doc["splits"]:
            print(f"  {s['volunteer']}: {s['moments']} moments in {s['shards']} shard(s)")
        for d in doc["duplicates"]:
            print(f"  skipped {d}: the same export as another input")
        print(f"merged {doc['volunteers']} volunteer(s), {doc['moments']} moments, into {doc['out']}")

    emit(args, doc, human)
    return EXIT_OK


def _no_action(args: argparse.Namespace) -> int:
    raise SideloadError("dataset takes an action: export --out DIR, or merge EXPORT... --out DIR", kind="usage")


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("dataset", parents=[common], help="a consented, redacted research dataset: export | merge")
    p.set_defaults(func=_no_action)
    actions = p.add_subparsers(dest="dataset_action", metavar="ACTION")

    e = actions.add_parser("export", parents=[common],
                           help="write the owner's moments as WebDataset shards, redacted, with a manifest and card")
    e.add_argument("--out", required=True, metavar="DIR", help="a new or empty folder, or an earlier export to replace")
    e.add_argument("--no-keyframes", action="store_true", help="words, times and frame facts only, no images")
    e.set_defaults(func=cmd_export)

    m = actions.add_parser("merge", parents=[common],
                           help="check volunteers' exports and join them, a split per volunteer")
    m.add_argument("exports", nargs="+", metavar="EXPORT", help="folders written by `dataset export`")
    m.add_argument("--out", required=True, metavar="DIR", help="a new or empty folder, or an earlier merge to replace")
    m.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="ray: check and copy the exports as Ray tasks (a shared file system on a cluster)")
    m.add_argument("--address", metavar="ADDR", help="with --engine ray: join this cluster (else one starts here)")
    m.set_defaults(func=cmd_merge)
