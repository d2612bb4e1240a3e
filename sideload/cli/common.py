"""What every command shares: the vault's context, one JSON document or human text, jobs with
progress and Ctrl-C, and the checks of common arguments."""
from __future__ import annotations

import argparse
import json
import signal
import sys
from datetime import date
from pathlib import Path
from typing import Any, Callable

from sideload import logs, paths
from sideload.cli.progress import TerminalProgress
from sideload.context import AppContext
from sideload.errors import SideloadError
from sideload.jobs import CancelToken, JobContext
from sideload.store.vault import Vault


def emit(args: argparse.Namespace, doc: Any, human: Callable[[], None]) -> None:
    if args.json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        human()


def vault_dir(args: argparse.Namespace) -> Path:
    return paths.resolve_vault_dir(args.vault)


def context(args: argparse.Namespace) -> AppContext:
    """The process's application context (made once, on first use)."""
    if getattr(args, "_context", None) is None:
        args._context = AppContext(vault_dir(args))
    return args._context


def open_vault(args: argparse.Namespace, write: bool = False) -> Vault:
    vault = context(args).open(write=write)
    if write:
        logs.setup(vault.paths.log_file, args.verbose)
    return vault


class Interrupts:
    """First Ctrl-C asks the job to stop at its next safe point; a second one stops at once."""

    def __init__(self, token: CancelToken):
        self.token = token
        self._old = None

    def __enter__(self) -> "Interrupts":
        def handler(signum, frame):
            if self.token.cancelled:
                raise KeyboardInterrupt
            self.token.cancel()
            sys.stderr.write("\nstopping after the current step (Ctrl-C again to stop now)...\n")

        try:
            self._old = signal.signal(signal.SIGINT, handler)
        except ValueError:  # not the main thread
            self._old = None
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)


def run_job(args: argparse.Namespace, fn: Callable[[JobContext], Any]) -> Any:
    token = CancelToken()
    bar = TerminalProgress(quiet=getattr(args, "quiet", False))
    ctx = JobContext(bar, token)
    try:
        with Interrupts(token):
            return fn(ctx)
    finally:
        bar.close()


def check_date(value: str, flag: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SideloadError(f"{flag} expects a date as YYYY-MM-DD (got {value!r})", kind="usage") from None


def passphrase(args: argparse.Namespace, confirm: bool = False) -> str:
    import getpass
    import os

    if getattr(args, "passphrase_file", None):
        try:
            return Path(args.passphrase_file).expanduser().read_text(encoding="utf-8").rstrip("\n")
        except OSError as exc:
            raise SideloadError(f"the passphrase file cannot be read ({exc.strerror})", kind="usage") from None
    if os.environ.get("SIDELOAD_PASSPHRASE"):
        return os.environ["SIDELOAD_PASSPHRASE"]
    if sys.stdin.isatty():
        first = getpass.getpass("passphrase: ")
        if confirm and getpass.getpass("again: ") != first:
            raise SideloadError("the two passphrases differ", kind="usage")
        return first
    raise SideloadError("a passphrase is needed: --passphrase-file F or $SIDELOAD_PASSPHRASE", kind="usage")


def checked_action(args, group: str, arity: dict[str, int], usage: str, takes: dict[str, str],
                   quoted: tuple[str, str] | None = None) -> str:
    """A group's sub-action (`people name ID NAME`), its number of arguments checked: a usage
    error names what it takes. `quoted` is (action, example) for one whose last argument is a name."""
    action = args.action or "list"
    if action not in arity:
        raise SideloadError(f"{usage} (got {action!r})", kind="usage")
    if len(args.args) != arity[action]:
        hint = f' (quote a name of several words: "{quoted[1]}")' if quoted and action == quoted[0] else ""
        raise SideloadError(f"{group} {action} takes {takes.get(action, 'nothing')}{hint}", kind="usage")
    return action


def number(value: str, what: str, group: str) -> int:
    """An id given on the command line: a number, or a usage error saying where the numbers are."""
    try:
        return int(value)
    except ValueError:
        raise SideloadError(f"{what} is given by its number (got {value!r})", kind="usage",
                            hint=f"`sideload {group}` lists them with their numbers") from None
