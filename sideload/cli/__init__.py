"""The command line: the scripting face of the core (../shared/docs/CLI.md is its contract).

Every command works on one vault (--vault, else $SIDELOAD_VAULT, else the per-user default).
Exit codes: 0 done, 1 done with some inputs failed, 2 could not run, 130 cancelled. With --json,
exactly one JSON document goes to stdout, errors included ({"error": {"kind", "message"}});
progress and messages go to stderr.

The commands live by group (library, persona, lifecycle, learn, launch); each module only parses,
calls the core through the application context, and prints.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import traceback

from sideload import __version__, logs
from sideload.cli import activities, dataset, launch, learn, library, lifecycle, people, persona, serve, storage
from sideload.errors import EXIT_CANCELLED, EXIT_FAILED, Cancelled, SideloadError, from_environment

log = logging.getLogger("sideload.cli")
GROUPS = (library, persona, activities, people, learn, lifecycle, storage, dataset, serve, launch)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2 like every other "could not run"
        self.print_usage(sys.stderr)
        raise SideloadError(message, kind="usage")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--vault", default=argparse.SUPPRESS, help="the vault folder (else $SIDELOAD_VAULT, else the default)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document on stdout")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log in detail")
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="no progress bar")

    parser = _Parser(prog="sideload", description="Keep a life, find its moments, let it speak.",
                     parents=[common])
    parser.add_argument("--version", action="version", version=f"sideload {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for group in GROUPS:
        group.register(sub, common)
    return parser


def _fail(args: argparse.Namespace | None, exc: SideloadError) -> int:
    """An error: its words on stderr, and with --json one JSON document on stdout as well."""
    sys.stderr.write(f"sideload: {exc}\n")
    if args is not None and getattr(args, "json", False):
        doc = {"kind": exc.kind, "message": exc.message, **({"hint": exc.hint} if exc.hint else {})}
        sys.stdout.write(json.dumps({"error": doc}, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return exc.exit_code


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    wants_json = "--json" in (argv if argv is not None else sys.argv[1:])
    try:
        args = parser.parse_args(argv)
    except SideloadError as exc:
        return _fail(argparse.Namespace(json=wants_json), exc)
    for name, default in (("vault", None), ("json", False), ("verbose", False), ("quiet", False)):
        if not hasattr(args, name):
            setattr(args, name, default)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_FAILED
    log_file = logs.setup(verbose=args.verbose)
    try:
        return args.func(args)
    except SideloadError as exc:
        return _fail(args, exc)
    except (Cancelled, KeyboardInterrupt):
        return _fail(args, SideloadError("cancelled; run the same command again to resume", kind="cancelled",
                                         exit_code=EXIT_CANCELLED))
    except Exception as exc:
        env = from_environment(exc)
        if env is not None:
            return _fail(args, env)
        log.error("unexpected error\n%s", traceback.format_exc())
        handler_file = getattr(logging.getLogger().handlers[-1], "baseFilename", log_file)
        return _fail(args, SideloadError(f"internal error ({type(exc).__name__}: {exc}); "
                                         f"the details are in {handler_file}", kind="internal"))
    finally:
        ctx = getattr(args, "_context", None)
        if ctx is not None:
            ctx.close()


if __name__ == "__main__":
    sys.exit(main())
