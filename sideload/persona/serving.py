"""The adapter the persona serves: which one, beside which base model, and withdrawing one.

Training and the gate that promotes an adapter live in `sideload.learn`; everything that only needs
to know what serves (the persona, export, forget) asks here, so the persona never depends on training.
"""
from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

from sideload.errors import SideloadError
from sideload.paths import base_model_cache_dir
from sideload.store import learning
from sideload.store.vault import Vault

log = logging.getLogger(__name__)


def base_model_path(settings) -> Path:
    from models.llm import bundled_llm_path

    path = Path(settings["llm_model"]) if settings["llm_model"] else bundled_llm_path()
    if not path.exists():
        raise SideloadError(f"the chat model {path} does not exist", kind="setting",
                            hint="set llm_model to a GGUF file, or leave it empty for the bundled model")
    return path


def served(db) -> dict[str, Any] | None:
    return learning.served_adapter(db)


def served_gguf(vault: Vault, base: Path) -> Path | None:
    """The adapter file to load beside `base`, if one serves and was trained on that very base."""
    row = served(vault.db)
    if not row or not row["gguf_file"]:
        return None
    if row["base_name"] != base.name or row["base_sha256"] != base_checksum(base):
        log.warning("the served adapter was trained on %s, not %s: serving the base model alone",
                    row["base_name"], base.name)
        return None
    path = vault.paths.adapters_dir / row["gguf_file"]
    return path if path.exists() else None


def base_checksum(path: Path) -> str:
    """sha256 of a base GGUF, remembered per machine by path, size and modification time: every
    `ask` checks it, and hashing a multi-GB model each time would cost seconds."""
    import json
    import os

    from models.lora import file_sha256

    st = path.stat()
    key = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    cache = base_model_cache_dir() / "checksums.json"
    try:
        known = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    if key not in known:
        known[key] = file_sha256(path)
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(known), encoding="utf-8")
            os.replace(tmp, cache)
        except OSError:
            log.debug("checksum cache not written", exc_info=True)
    return known[key]


def history(db) -> list[dict[str, Any]]:
    return learning.adapter_history(db)


def withdraw_trained_on(tx, vault: Vault, rids: list[int]) -> list[int]:
    """Adapters that learnt from `rids` stop serving and lose their weights; the next consolidation
    trains a fresh one from scratch. Runs inside forget's transaction, before the moments go."""
    if not rids:
        return []
    hit = learning.adapters_trained_on(tx, rids)
    for aid in sorted(hit):
        for name in learning.withdraw_adapter(tx, aid):
            if name:
                p = vault.paths.adapters_dir / name
                shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    # The newest clean adapter (if any) serves again; the next night retrains from scratch either way.
    if hit:
        learning.serve_newest_clean_if_none_serves(tx)
        learning.request_retrain_from_scratch(tx)
    return sorted(hit)
