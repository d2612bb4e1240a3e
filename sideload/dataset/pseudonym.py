"""Pseudonyms: the volunteer, the people they consented for, and recordings, never by name or path.

Each is an HMAC-SHA256 under a random secret kept in the vault (made on the first export), so it is
stable across exports of one vault and unlinkable without the secret: a lab sees the same volunteer
id every time, and nobody can test a guessed name or a known file against it. The owner's name is
never an input.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from sideload.errors import SideloadError
from sideload.store import dataset_rows
from sideload.store.vault import Vault


def secret_of(vault: Vault) -> str | None:
    return dataset_rows.volunteer_secret(vault.db)


def ensure_secret(vault: Vault) -> str:
    """The vault's secret, made (once, in one transaction) if it has none yet."""
    found = secret_of(vault)
    if found:
        return found
    if not vault.writable:
        raise SideloadError("this vault has no dataset secret yet and is open read-only, so none can be made",
                            kind="read-only", hint="export from the owner's own vault (not a preserved sideload)")
    with vault.transaction() as tx:
        return dataset_rows.keep_volunteer_secret(tx, secrets.token_hex(32))


def _mac(secret: str, what: str) -> str:
    return hmac.new(bytes.fromhex(secret), what.encode("utf-8"), hashlib.sha256).hexdigest()


def volunteer_id(secret: str) -> str:
    """The volunteer's pseudonym: 'v' and 16 hex digits (64 bits: no collision among a million)."""
    return "v" + _mac(secret, "volunteer")[:16]


def person_id(secret: str, name: str) -> str:
    """A consenting person's pseudonym within this volunteer's data (case and spacing ignored)."""
    return "p" + _mac(secret, "person:" + " ".join(name.casefold().split()))[:12]


def recording_id(secret: str, content_hash: str) -> str:
    """Groups the moments of one recording without naming its file or revealing its content hash."""
    return "r" + _mac(secret, "recording:" + content_hash)[:16]
