"""The people of a life, as the owner sees and names them: list, a person's moments, "this voice is
Maria", and "these two are one person".

The owner names a person once; the name goes onto every speech moment of that voice (past and
future imports: new moments of the voice join the person), and wins over every guess from chats or
speech. Naming a voice with a name another person already has makes them one person (the owner just
said they are). After a change, privacy rules by person are applied again (a voice now called Maria
is covered by "Maria is private") and the profile follows.
"""
from __future__ import annotations

from typing import Any

from sideload.errors import SideloadError
from sideload.lifecycle.privacy import apply_rules, has_rules
from sideload.persona.profile import distil
from sideload.store import people as store
from sideload.store import queries
from sideload.store.vault import Vault

HOW_NAMED = {"owner": "named by you", "chat": "from a chat", "speech": "guessed from speech", None: "not named"}


def as_json(row, owner_name: str = "") -> dict[str, Any]:
    """A person in the JSON form the command line and the app share."""
    owner = bool(row["is_owner"])
    return {"person_id": row["person_id"], "name": row["name"] or (owner_name if owner else None) or None,
            "named_by": row["named_by"], "owner": owner, "moments": row["moments"], "spoken": row["spoken"],
            "voice_s": round(float(row["voice_s"] or 0), 1), "first_seen": row["first_seen"],
            "last_seen": row["last_seen"]}


def label(person: dict[str, Any]) -> str:
    """How a person is called where a name is needed: their name, "me", or "voice N"."""
    if person["owner"]:
        return f"{person['name']} (me)" if person["name"] else "me"
    return person["name"] or f"unnamed voice {person['person_id']}"


def people(db, owner_name: str = "") -> list[dict[str, Any]]:
    """Everyone: the owner first, then by how many moments are theirs."""
    return [as_json(r, owner_name) for r in store.person_rows(db)]


def person(db, person_id: int, owner_name: str = "") -> dict[str, Any]:
    row = store.person_row(db, person_id)
    if row is None:
        raise SideloadError(f"no person {person_id} in this vault", kind="input",
                            hint="`sideload people` lists them with their numbers")
    return as_json(row, owner_name)


def moments(db, person_id: int, owner_name: str = "", *, include_private: bool = True) -> dict[str, Any]:
    """A person and their moments in time order, in the moments' JSON form."""
    who = person(db, person_id, owner_name)
    ids = store.person_moment_ids(db, person_id, include_private=include_private)
    return {"person": who, "moments": queries.moments_by_ids(db, ids)}


def sample(db, person_id: int) -> str | None:
    """The moment that best lets one hear this voice: the longest stretch of their speech."""
    ids = store.person_moment_ids(db, person_id, kind="speech", longest_first=True)
    return ids[0] if ids else None


def name(vault: Vault, person_id: int, new_name: str) -> dict[str, Any]:
    """"This voice is Maria": the owner's word, kept through every later import."""
    vault.require_writable()
    new_name = " ".join(new_name.split())
    if not new_name:
        raise SideloadError("a name cannot be empty", kind="usage")
    if len(new_name) > 80:
        raise SideloadError("a name has at most 80 characters", kind="usage")
    who = person(vault.db, person_id)
    if who["owner"]:
        raise SideloadError(f"person {person_id} is your own voice; your name is the setting owner_name",
                            kind="usage", hint=f"sideload settings owner_name {new_name!r}")
    same = [p for p in store.person_by_name(vault.db, new_name) if p != person_id]
    with vault.transaction() as tx:
        store.set_name(tx, person_id, new_name, "owner")
        for other in same:  # the owner says this voice is the Maria already known: one person
            store.merge(tx, person_id, other)
        store.sync_names(tx)
    follow(vault)
    return {"person": person(vault.db, person_id, vault.settings["owner_name"]), "merged": same}


def merge(vault: Vault, keep: int, other: int) -> dict[str, Any]:
    """Two people are one: `other`'s moments become `keep`'s; the owner's naming wins for the name."""
    vault.require_writable()
    if keep == other:
        raise SideloadError("a person cannot be merged with themself", kind="usage")
    a, b = person(vault.db, keep), person(vault.db, other)
    if a["owner"] != b["owner"] and not a["owner"]:
        keep, other, a, b = other, keep, b, a  # the owner stays the owner, under their own number
    with vault.transaction() as tx:
        rank = {"owner": 3, "chat": 2, "speech": 1, None: 0}
        if rank[b["named_by"]] > rank[a["named_by"]]:
            store.set_name(tx, keep, b["name"], b["named_by"])
        store.merge(tx, keep, other)
        store.sync_names(tx)
    follow(vault)
    return {"person": person(vault.db, keep, vault.settings["owner_name"]), "merged": [other]}


def follow(vault: Vault) -> None:
    """Names changed: privacy rules by person cover the newly named voices; the profile follows."""
    if has_rules(vault.db):
        apply_rules(vault)
    distil(vault)
