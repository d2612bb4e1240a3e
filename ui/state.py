"""What every view shares: the vault (read-only, for quick queries on the main thread), the engine
host (search, chat), family mode, and how to open a moment in the player."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sideload.vault import Vault

from .jobs import EngineHost


@dataclass
class AppState:
    vault_dir: Path
    vault: Vault
    engines: EngineHost
    family: bool
    open_moment: Callable[[str], None] = lambda moment_id: None
    status: Callable[[str], None] = lambda text: None
    data_changed: list[Callable[[], None]] = field(default_factory=list)

    def changed(self) -> None:
        """After an import, a promotion or an edit: views reload, engines reopen."""
        self.engines.reset()
        for fn in self.data_changed:
            fn()

    def moment(self, moment_id: str) -> dict | None:
        from sideload.moments import MOMENT_COLUMNS, row_to_json

        row = self.vault.db.execute(
            f"SELECT {MOMENT_COLUMNS}, f.content_hash, m.file_id FROM moments m JOIN files f USING (file_id) "
            "WHERE m.moment_id = ?", (moment_id,)).fetchone()
        if row is None:
            return None
        out = row_to_json(row)
        out.update(keyframe=row["keyframe"], content_hash=row["content_hash"], file_id=row["file_id"],
                   speaker_name=row["speaker_name"], day=row["day"])
        return out
