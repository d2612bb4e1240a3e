"""What every view shares: the vault (read-only, for quick queries on the main thread), the engine
host (search, chat), family mode, and how to open a moment in the player."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sideload.context import AppContext
from sideload.store import queries
from sideload.store.vault import Vault

from .jobs import EngineHost


@dataclass
class AppState:
    context: AppContext
    vault_dir: Path
    vault: Vault
    engines: EngineHost
    family: bool
    # open_moment(moment_id, at=None, span=None): the player at the cited second `at` (else the
    # moment's start), with the cited passage of a long text (`span`, character offsets) marked
    open_moment: Callable[..., None] = lambda moment_id, at=None, span=None: None
    status: Callable[[str], None] = lambda text: None
    data_changed: list[Callable[[], None]] = field(default_factory=list)

    def changed(self) -> None:
        """After an import, a promotion or an edit: views reload, engines reopen. A job that ends after
        its window closed (an import, a consolidation) finds nothing left to reload."""
        if self.vault.closed:
            return
        self.engines.reset()
        for fn in self.data_changed:
            fn()

    def moment(self, moment_id: str) -> dict | None:
        return queries.moment_detail(self.vault.db, moment_id)
