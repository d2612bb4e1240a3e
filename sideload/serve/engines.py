"""The server's engines: one thread owns the warm read side, one write at a time.

The searcher (its chromadb client and vector matrix) and the persona (its `Llama`) are not safe to
share between threads, so, as in the app, one engine thread opens them and runs every search and
every answer, in order. Requests that need no model (moments, predict, media, storage) open their
own read-only connection in the request's thread instead, so they are answered at once even while
an answer is being written. A write (import, forget) opens the vault for writing in its own request
thread: readers never wait for it (SQLite WAL), and the engines reopen when the catalogue changed.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from sideload.errors import SideloadError
from sideload.store.vault import Vault

log = logging.getLogger(__name__)


class Engines:
    """What the engine thread owns: opened there, used only there."""

    def __init__(self, context):
        self.vault = context.open()
        self.version = self.vault.data_version()
        self.persona = context.persona(self.vault)  # the same assembly as `sideload ask` and the app
        self.searcher = self.persona.searcher

    def close(self) -> None:
        self.vault.close()


class EngineHost:
    def __init__(self, context):
        self.context = context
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="serve-engines")
        self._engines: Engines | None = None
        self._write = threading.Lock()
        self.writing: str | None = None  # what is being written now, for /v1/status

    # -- the read side ------------------------------------------------------------------------
    def _here(self) -> Engines:
        if self._engines is not None and self._engines.vault.data_version() != self._engines.version:
            self._drop()  # an import or a forget committed since: reopen over what is there now
        if self._engines is None:
            self._engines = Engines(self.context)
        return self._engines

    def _drop(self) -> None:
        if self._engines is not None:
            self._engines.close()
            self._engines = None

    def submit(self, fn: Callable[[Engines], Any]) -> Future:
        """Run `fn` on the engine thread; the future carries its result or its error."""
        return self._pool.submit(lambda: fn(self._here()))

    def call(self, fn: Callable[[Engines], Any]) -> Any:
        return self.submit(fn).result()

    def warm(self) -> Future:
        """Open the engines (and load the embedding model) before the first request needs them."""
        return self._pool.submit(self._here)

    # -- the write side -----------------------------------------------------------------------
    def write(self, what: str, fn: Callable[[Vault], Any]) -> Any:
        """One write at a time in this server; another process writing makes the vault busy."""
        if not self._write.acquire(blocking=False):
            raise SideloadError(f"the server is already writing to the vault ({self.writing})", kind="busy",
                                hint="wait for it to finish; reading still works")
        self.writing = what
        try:
            with self.context.open(write=True) as vault:
                return fn(vault)
        finally:
            self.writing = None
            self._write.release()

    def close(self) -> None:
        self._pool.submit(self._drop)
        self._pool.shutdown(wait=True, cancel_futures=True)
