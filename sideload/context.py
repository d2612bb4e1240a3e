"""The application context: the one place that opens a vault and assembles its engines.

Every face of Sideload (the command line, the app, the demo, the benchmarks) makes one `AppContext`
for the vault it works on and asks it for what it needs: the vault (read or write), the model hub,
the searcher, the persona, an import session, a consolidation, the nightly scheduler. Engines are
built here and nowhere else, so `ask` in a terminal and the chat in the app are the same persona.

One model hub per process: the hub owns every model engine and the "one heavy job at a time" lock,
so an import, a consolidation and a chat in one app share one embedding model and one lock. Tests
hand fakes in here (a hub with a fake embedder or chat model, a fixed clock) and the rest of the
core runs unchanged on them.
"""
from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from sideload.errors import SideloadError
from sideload.jobs import JobContext
from sideload.store.vault import Vault

if TYPE_CHECKING:
    from models.hub import ModelHub
    from sideload.ingest.session import ImportSession
    from sideload.persona.answers import Persona
    from sideload.recall.search import Searcher

log = logging.getLogger(__name__)


def _real_hub(settings) -> "ModelHub":
    from models.hub import ModelHub

    return ModelHub(settings)


class AppContext:
    """A vault folder and the engines over it, assembled once per process."""

    def __init__(self, vault_dir: Path, *, hub_factory: Callable[[Any], Any] = _real_hub,
                 clock: Callable[[], datetime] = datetime.now, warn: Callable[[str], None] | None = None):
        self.vault_dir = Path(vault_dir)
        self.clock = clock
        self._hub_factory = hub_factory
        self._hub = None
        self._warn = warn or (lambda text: sys.stderr.write(f"sideload: {text}\n"))

    # -- the vault -------------------------------------------------------------------------------
    def open(self, *, write: bool = False) -> Vault:
        return Vault.open(self.vault_dir, write=write)

    def init(self) -> Vault:
        return Vault.init(self.vault_dir)

    # -- engines ---------------------------------------------------------------------------------
    def hub(self, settings) -> "ModelHub":
        """The process's one model hub, following the vault's current settings."""
        if self._hub is None:
            self._hub = self._hub_factory(settings)
        else:
            self._hub.configure(settings)
        return self._hub

    def searcher(self, vault: Vault) -> "Searcher":
        """A searcher over the vault with its own embedding model, index and vector matrix."""
        from sideload.recall.search import Searcher
        from sideload.store import queries
        from sideload.store.vectors import VectorStore

        hub = self.hub(vault.settings)
        # chromadb takes a second to start: opened when a search first needs it (a small vault never
        # does); a missing index is named at once, as it costs nothing to see
        missing = not (vault.paths.index_dir / "chroma.sqlite3").exists()
        index = self._index_for_reading(vault) if missing else (lambda: self._index_for_reading(vault))
        stored = queries.other_embedding_model(vault.db, hub.embedder.name)
        if stored:
            # the setting changed since these vectors were made: comparing them would be meaningless
            self._warn(f"the vault's vectors come from {stored}, not {hub.embedder.name}; "
                       "searching by words only until they are made again")
            return Searcher(vault.db, None, None, None)
        return Searcher(vault.db, hub.embedder.encode, index, VectorStore(vault.paths.vectors_file),
                        model=hub.embedder.name)

    def _index_for_reading(self, vault: Vault):
        """The vector index when it can serve as it is; None otherwise, and search scores the vectors
        directly (slower, same results). Reading never repairs or writes: on read-only media chromadb
        cannot even open, and a missing or damaged index is rebuilt by the next import or `repair`."""
        import os

        from sideload.store import index as store_index

        folder = vault.paths.index_dir
        if folder.exists() and not (os.access(folder, os.W_OK) and os.access(vault.paths.root, os.W_OK)):
            return None  # read-only media: scoring the vectors directly is the way here, not a fault
        health, index = store_index.check(vault.db, folder)
        if index is None and health.state == "unavailable":
            self._warn(f"the search index cannot be opened ({health.detail}); searching the vectors directly")
        elif index is None and health.state != "ok":
            self._warn(f"the search index is {health.state} ({health.detail}); searching the vectors directly "
                       "until `sideload repair` or the next import rebuilds it")
        return index

    def persona(self, vault: Vault) -> "Persona":
        """The persona: its searcher, and the chat model with the served adapter beside it."""
        from sideload.persona.answers import Persona
        from sideload.persona.serving import base_model_path, served_gguf

        hub = self.hub(vault.settings)
        try:
            hub.lora_path = served_gguf(vault, base_model_path(vault.settings))
        except SideloadError:  # a missing chat model is reported when the persona first speaks
            hub.lora_path = None
        return Persona(vault, self.searcher(vault), lambda: hub.llm, vault.settings["owner_name"])

    def import_session(self, vault: Vault, ctx: JobContext, *, engine: str = "local", address: str | None = None,
                       **kw) -> "ImportSession":
        """An import session; engine "ray" runs its per-file stages on a Ray cluster (`address`, else the
        ray_address setting, else a runtime started on this machine) and stores on this process."""
        from sideload.ingest.session import ImportSession

        if engine == "ray":
            from sideload.cluster.engine import RayEngine  # imports Ray only now: it is an optional extra

            kw["engine"] = RayEngine(address or vault.settings["ray_address"] or None,
                                     workers=int(vault.settings["ray_workers"]))
        elif engine != "local":
            raise SideloadError(f"there is no import engine called {engine!r}", kind="usage",
                                hint="--engine local (the default) or --engine ray")
        return ImportSession(vault, self.hub(vault.settings), ctx, **kw)

    def consolidate(self, vault: Vault, ctx: JobContext, only: set[str] | None = None) -> dict:
        from sideload.learn import consolidate

        return consolidate.run(vault, self.hub(vault.settings), ctx, only=only)

    def evaluate(self, vault: Vault, heldout: Path, ctx: JobContext, max_tokens: int) -> dict:
        from sideload.learn.evaluation import evaluate

        return evaluate(vault, self.hub(vault.settings), heldout, ctx, max_tokens=max_tokens)

    def choose(self, vault: Vault, items: Path, ctx: JobContext) -> dict:
        from sideload.learn.evaluation import choose_file

        return choose_file(vault, self.hub(vault.settings), items, ctx)

    def scheduler(self, vault: Vault, *, background: bool = False):
        """The nightly schedule with its persistent job store in the vault (`consolidate --schedule`)."""
        from sideload.learn import schedule

        return schedule.make_scheduler(vault.paths, vault.settings, background=background)

    def close(self) -> None:
        if self._hub is not None:
            self._hub.close()
            self._hub = None


def scheduled_consolidation(vault_dir: str) -> None:
    """The job apscheduler calls by reference (so it survives in the vault's persistent job store)."""
    from sideload.learn.consolidate import lower_priority

    lower_priority()
    context = AppContext(Path(vault_dir))
    try:
        with context.open(write=True) as vault:
            context.consolidate(vault, JobContext())
    except SideloadError as exc:
        log.warning("nightly consolidation did not run: %s", exc.message)
    finally:
        context.close()
