"""The demo and the desktop app. `launch_app` is the one place where the core imports `ui`."""
from __future__ import annotations

import argparse
from pathlib import Path

from sideload import paths
from sideload.cli.common import emit, run_job, vault_dir
from sideload.errors import EXIT_OK, SideloadError


def launch_app(root: Path) -> int:
    try:
        from ui.app import run_app
    except ImportError as exc:
        raise SideloadError(f"the desktop app cannot start ({exc})", kind="usage") from None
    return run_app(root)


def cmd_demo(args: argparse.Namespace) -> int:
    from sideload.demo.tour import print_tour, run_demo

    root = Path(args.vault).expanduser().resolve() if args.vault else paths.demo_vault_dir()
    tour = run_demo(root, lambda fn: run_job(args, fn))
    emit(args, tour, lambda: print_tour(tour))
    if not args.no_gui:
        return launch_app(root)
    return EXIT_OK


def cmd_app(args: argparse.Namespace) -> int:
    return launch_app(vault_dir(args))


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("demo", parents=[common], help="build the demo vault from the built-in sample day")
    p.add_argument("--no-gui", action="store_true", help="print a short tour instead of opening the app")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("app", parents=[common], help="open the desktop app on the vault")
    p.set_defaults(func=cmd_app)
