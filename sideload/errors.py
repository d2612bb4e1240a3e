"""One user-facing error type, and the one place that maps failures to messages and exit codes.

`SideloadError` is what the core raises for anything a person can act on. Environment faults
(disk full, permissions, a locked or corrupt vault) are translated here so that the CLI and the
app show the same words. Anything else is a bug: the CLI logs its traceback and says where.
"""
from __future__ import annotations

import errno
import sqlite3

# Exit codes of the scripting interface (CLI.md).
EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_FAILED = 2
EXIT_CANCELLED = 130


class SideloadError(Exception):
    """A failure the person can understand and act on.

    kind: a short machine-readable word (not-a-vault, busy, schema, setting, input, disk-full,
    permission, corrupt, missing-model, usage).
    """

    def __init__(self, message: str, *, kind: str = "usage", hint: str | None = None,
                 exit_code: int = EXIT_FAILED):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.hint = hint
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class Cancelled(Exception):
    """Raised by a cancel token at a safe point. Never shown as an error."""


def from_environment(exc: BaseException) -> SideloadError | None:
    """Translate an environment fault into a SideloadError; None means 'this is a bug'."""
    if isinstance(exc, SideloadError):
        return exc
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        if exc.errno == errno.ENOSPC:
            return SideloadError(f"the disk is full{where}; free some space and run the same command "
                                 "again: finished work is kept and it resumes", kind="disk-full")
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return SideloadError(f"permission denied{where}", kind="permission")
        if exc.errno == errno.ENOENT:
            return SideloadError(f"no such file or folder{where}", kind="input")
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return SideloadError("the vault is busy: another Sideload process is writing to it",
                                 kind="busy")
        if "disk is full" in text or "database or disk is full" in text:
            return SideloadError("the disk is full; free some space and run the command again",
                                 kind="disk-full")
    if isinstance(exc, sqlite3.DatabaseError) and "malformed" in str(exc).lower():
        return SideloadError(f"the vault's catalogue is damaged: {exc}", kind="corrupt",
                             hint="restore it from a backup or an exported sideload")
    return None


def input_reason(exc: BaseException) -> str:
    """A one-line reason for a single input file that failed (CLI.md's failed[].reason)."""
    if isinstance(exc, SideloadError):
        return exc.message
    env = from_environment(exc)
    if env is not None:
        return env.message
    return f"internal error while processing ({type(exc).__name__}: {exc})"
