"""Privacy rules: the owner marks moments, days, places or people private.

A rule is kept (table `privacy_rules`), not just applied once, so a person marked private stays private
in tomorrow's footage too: rules are applied again after every import. A moment is private while any
rule covers it; releasing a rule recomputes the flag from the rules that remain. Private moments are
never exported, never enter the profile, and are not trained on unless the owner allows it
(`train_on_private`); the owner still finds them in their own search.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sideload.errors import SideloadError
from sideload.store.vault import Vault

KINDS = ("moment", "day", "place", "person", "source")


def _where(kind: str) -> str:
    """The moments a rule of `kind` covers, as SQL over `moments m` with one parameter."""
    if kind == "moment":
        return "m.moment_id = ?1"
    if kind == "day":
        return "m.day = ?1"
    if kind == "source":
        return "m.file_id IN (SELECT file_id FROM files WHERE path = ?1 OR path LIKE ?1 || '/%')"
    if kind == "place":
        return ("m.rid IN (SELECT rid FROM mentions WHERE kind = 'place' AND key = ?1 COLLATE NOCASE) "
                "OR instr(lower(m.text), lower(?1)) > 0 OR instr(lower(coalesce(m.caption, '')), lower(?1)) > 0")
    if kind == "person":
        return ("m.speaker_name = ?1 COLLATE NOCASE "
                "OR m.rid IN (SELECT rid FROM mentions WHERE kind = 'person' AND key = ?1 COLLATE NOCASE) "
                "OR instr(lower(m.text), lower(?1)) > 0")
    raise AssertionError(f"no rule for {kind!r}")


def _normalise(vault: Vault, kind: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise SideloadError(f"an empty {kind} cannot be marked", kind="usage")
    if kind == "day":
        try:
            date.fromisoformat(value)
        except ValueError:
            raise SideloadError(f"a day is YYYY-MM-DD (got {value!r})", kind="usage") from None
    if kind == "source":
        value = str(Path(value).expanduser().resolve())
    if kind == "moment" and not vault.db.execute("SELECT 1 FROM moments WHERE moment_id = ?", (value,)).fetchone():
        raise SideloadError(f"no such moment: {value}", kind="input")
    if kind in ("place", "person") and len(value) < 3:
        raise SideloadError(f"a {kind} name needs at least 3 letters (got {value!r})", kind="usage")
    return value


def has_rules(db) -> bool:
    return db.execute("SELECT 1 FROM privacy_rules LIMIT 1").fetchone() is not None


def apply_rules(vault: Vault, tx=None) -> int:
    """Recompute every moment's private flag from the rules; returns how many are private."""
    def go(c) -> int:
        rules = c.execute("SELECT kind, value FROM privacy_rules").fetchall()
        c.execute("UPDATE moments SET private = 0 WHERE private = 1")
        for kind, value in rules:
            c.execute(f"UPDATE moments AS m SET private = 1 WHERE {_where(kind)}", (value,))
        return c.execute("SELECT count(*) FROM moments WHERE private = 1").fetchone()[0]

    if tx is not None:
        return go(tx)
    with vault.transaction() as t:
        return go(t)


def mark(vault: Vault, kind: str, values: list[str], *, release: bool = False) -> dict:
    """Add (or with `release`, remove) rules and apply them; the profile follows."""
    vault.require_writable()
    if kind not in KINDS:
        raise SideloadError(f"unknown kind {kind!r} (one of {', '.join(KINDS)})", kind="usage")
    values = [_normalise(vault, kind, v) for v in values]
    now = datetime.now().isoformat(timespec="seconds")
    with vault.transaction() as tx:
        before = tx.execute("SELECT count(*) FROM moments WHERE private = 1").fetchone()[0]
        for v in values:
            if release:
                gone = tx.execute("DELETE FROM privacy_rules WHERE kind = ? AND value = ?", (kind, v)).rowcount
                if not gone:
                    raise SideloadError(f"{kind} {v!r} was not marked private", kind="input")
            else:
                tx.execute("INSERT OR IGNORE INTO privacy_rules (kind, value, created_at) VALUES (?, ?, ?)", (kind, v, now))
        total = apply_rules(vault, tx)
    from sideload.persona.profile import distil

    distil(vault)
    return {"private": total, "changed": abs(total - before), "rules": rules(vault.db)}


def summary(db) -> dict:
    """How many moments are private, and the rules that make them so."""
    return {"private": db.execute("SELECT count(*) FROM moments WHERE private = 1").fetchone()[0], "rules": rules(db)}


def rules(db) -> list[dict]:
    return [{"kind": k, "value": v, "since": t} for k, v, t in
            db.execute("SELECT kind, value, created_at FROM privacy_rules ORDER BY created_at, kind, value")]
