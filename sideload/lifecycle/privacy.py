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
from sideload.store import privacy_rules, queries
from sideload.store.vault import Vault

KINDS = ("moment", "day", "place", "person", "source")


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
    if kind == "moment" and not privacy_rules.moment_exists(vault.db, value):
        raise SideloadError(f"no such moment: {value}", kind="input")
    if kind in ("place", "person") and len(value) < 3:
        raise SideloadError(f"a {kind} name needs at least 3 letters (got {value!r})", kind="usage")
    return value


def has_rules(db) -> bool:
    return privacy_rules.has_rules(db)


def apply_rules(vault: Vault, tx=None) -> int:
    """Recompute every moment's private flag from the rules; returns how many are private."""
    if tx is not None:
        return privacy_rules.recompute_private(tx)
    with vault.transaction() as t:
        return privacy_rules.recompute_private(t)


def mark(vault: Vault, kind: str, values: list[str], *, release: bool = False) -> dict:
    """Add (or with `release`, remove) rules and apply them; the profile follows."""
    vault.require_writable()
    if kind not in KINDS:
        raise SideloadError(f"unknown kind {kind!r} (one of {', '.join(KINDS)})", kind="usage")
    values = [_normalise(vault, kind, v) for v in values]
    now = datetime.now().isoformat(timespec="seconds")
    with vault.transaction() as tx:
        before = queries.private_count(tx)
        for v in values:
            if release:
                if not privacy_rules.remove_rule(tx, kind, v):
                    raise SideloadError(f"{kind} {v!r} was not marked private", kind="input")
            else:
                privacy_rules.add_rule(tx, kind, v, now)
        total = apply_rules(vault, tx)
    from sideload.persona.profile import distil

    distil(vault)
    return {"private": total, "changed": abs(total - before), "rules": rules(vault.db)}


def summary(db) -> dict:
    """How many moments are private, and the rules that make them so."""
    return {"private": queries.private_count(db), "rules": rules(db)}


def rules(db) -> list[dict]:
    return [{"kind": k, "value": v, "since": t} for k, v, t in privacy_rules.rule_rows(db)]
