"""The one module that knows where things live on disk.

Everything else asks a `VaultPaths` (for a vault) or the functions here (for per-user
locations) instead of joining paths itself, so a vault's layout can change in one place.
`SIDELOAD_HOME` redirects every per-user location under one base directory (tests and
portable installs use it).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Sideload"
CATALOGUE_NAME = "sideload.db"


def _user_base() -> Path | None:
    base = os.environ.get("SIDELOAD_HOME")
    return Path(base).expanduser().resolve() if base else None


def user_data_dir() -> Path:
    base = _user_base()
    return base / "data" if base else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def user_cache_dir() -> Path:
    base = _user_base()
    return base / "cache" if base else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def user_log_dir() -> Path:
    base = _user_base()
    return base / "logs" if base else Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def base_model_cache_dir() -> Path:
    """Serving GGUFs dequantised for training, keyed by checksum; shared by every vault of the user."""
    return user_cache_dir() / "base-models"


def new_vault_settings_file() -> Path:
    """Settings every new vault of this user starts with (a lab's machine sets its models once)."""
    return user_data_dir() / "new-vault-settings.json"


def default_vault_dir() -> Path:
    return user_data_dir() / "vault"


def demo_vault_dir() -> Path:
    return user_data_dir() / "demo-vault"


def demo_day_dir() -> Path:
    return user_cache_dir() / "demo-day"


def resolve_vault_dir(cli_value: str | os.PathLike | None) -> Path:
    """--vault, else $SIDELOAD_VAULT, else the per-user default (CLI.md)."""
    if cli_value:
        return Path(cli_value).expanduser().resolve()
    env = os.environ.get("SIDELOAD_VAULT")
    if env:
        return Path(env).expanduser().resolve()
    return default_vault_dir()


@dataclass(frozen=True)
class VaultPaths:
    """The layout of one vault folder."""

    root: Path

    @property
    def catalogue(self) -> Path:
        return self.root / CATALOGUE_NAME

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @property
    def derived_dir(self) -> Path:
        return self.root / "derived"

    @property
    def keyframes_dir(self) -> Path:
        return self.derived_dir / "keyframes"

    @property
    def thumbnails_dir(self) -> Path:
        return self.derived_dir / "thumbnails"

    @property
    def adapters_dir(self) -> Path:
        return self.derived_dir / "adapters"

    @property
    def vectors_file(self) -> Path:
        return self.derived_dir / "vectors.f16"

    @property
    def originals_dir(self) -> Path:
        return self.root / "originals"

    @property
    def settings_file(self) -> Path:
        return self.root / "settings.json"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def log_file(self) -> Path:
        return self.logs_dir / "sideload.log"

    @property
    def tmp_dir(self) -> Path:
        """Scratch space of a running import (a long audio track decoded to disk); emptied at start."""
        return self.root / "tmp"

    @property
    def write_lock(self) -> Path:
        return self.root / ".writer.lock"

    @property
    def consolidation_lock(self) -> Path:
        return self.root / ".consolidation.lock"

    @property
    def scheduler_db(self) -> Path:
        """apscheduler's persistent job store (its own SQLite file: it opens it through SQLAlchemy)."""
        return self.root / "scheduler.sqlite"

    @property
    def reports_dir(self) -> Path:
        return self.derived_dir / "reports"

    def adapter_gguf(self, adapter_id: int) -> Path:
        return self.adapters_dir / f"persona-v{adapter_id:04d}.gguf"

    def adapter_peft(self, adapter_id: int) -> Path:
        return self.adapters_dir / f"persona-v{adapter_id:04d}.peft"

    # Derived files are named by the original's content hash, so a re-run after a crash writes the
    # same names again instead of leaving orphans, and `forget` finds every one of them.
    def derived_folder(self, content_hash: str) -> str:
        return content_hash[:24]

    def keyframe_file(self, content_hash: str, t_ms: int) -> Path:
        return self.keyframes_dir / self.derived_folder(content_hash) / f"{t_ms:010d}.jpg"

    def thumbnail_file(self, content_hash: str, t_ms: int) -> Path:
        return self.thumbnails_dir / self.derived_folder(content_hash) / f"{t_ms:010d}.jpg"

    def original_copy(self, content_hash: str, suffix: str) -> Path:
        return self.originals_dir / content_hash[:2] / f"{content_hash}{suffix.lower()}"

    def reduced_copy(self, content_hash: str) -> Path:
        """The low-bitrate copy retention keeps of an original video (always inside the vault)."""
        return self.originals_dir / "reduced" / content_hash[:2] / f"{content_hash}.mp4"

    @property
    def serve_token(self) -> Path:
        """The bearer token `sideload serve` requires on every request (readable by the owner only)."""
        return self.root / "serve.token"

    @property
    def backups_dir(self) -> Path:
        """Online backups of the catalogue, made by consolidation and rotated (newest few kept)."""
        return self.root / "backups"

    def dirs(self) -> list[Path]:
        return [self.root, self.index_dir, self.keyframes_dir, self.thumbnails_dir,
                self.adapters_dir, self.reports_dir, self.logs_dir]
