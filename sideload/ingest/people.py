"""Voices grouped into people across every recording, and names for them where they are clear.

After each import (and in the nightly consolidation, for older vaults) every speech moment not yet
given to a person joins the person whose voice it is nearest (cosine of its voiceprint to the
person's mean voice, at least `speaker_threshold`) or starts a new person. Grouping is incremental:
a moment keeps its person once given, so the owner's naming and merging are never undone by the next
import; only new voices are placed. Longer stretches go first (their voiceprints are the cleanest),
and a stretch too short to carry a clear voice may join a person but never starts one.

The person whose moments are mostly the owner's voice ('me') is the owner. Chat partners are people
too (their sender names). A voice is named by the owner (`sideload.lifecycle.people`), or guessed
from speech where the name is clear: someone introducing themselves ("I'm Maria") or addressed by
name just before their turn ("thanks, Maria"), with at least two votes and twice the next name's. The owner's name always wins.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from sideload.persona.profile import NOT_NAMES
from sideload.store import people as store

MIN_FOUNDER_S = 1.5  # a shorter stretch may join a person but never starts one
TURN_GAP_S = 6.0  # "thanks, Maria" names the next speaker only when their turn follows at once


@dataclass
class Grouping:
    labels: list[int | None]  # per print: a person (existing id, or a new one as -1, -2, ...), or None
    confidence: list[float]  # of each print placed now: cosine to its person's final mean voice
    new_people: int


def group_voices(prints: np.ndarray, weights: np.ndarray, known: list[int | None], threshold: float,
                 *, founders: np.ndarray | None = None) -> Grouping:
    """Place each print without a person (`known[i] is None`) with the nearest person's mean voice at
    `threshold` or above, else start a new person (only where `founders[i]`). Numpy only."""
    n = len(prints)
    labels: list[int | None] = list(known)
    founders = np.ones(n, bool) if founders is None else founders
    placed = [i for i, pid in enumerate(known) if pid is not None]
    ids = sorted({known[i] for i in placed})
    at = {pid: k for k, pid in enumerate(ids)}
    total = np.zeros((len(ids), prints.shape[1]), np.float32)
    if placed:  # each person's weighted sum of voices in one pass: members sorted by person, summed by run
        lab = np.array([at[known[i]] for i in placed])
        order = np.argsort(lab, kind="stable")
        idx = np.asarray(placed)[order]
        total = np.add.reduceat(prints[idx] * weights[idx, None].astype(np.float32),
                                np.searchsorted(lab[order], np.arange(len(ids))), axis=0)
    sums: dict[int, np.ndarray] = dict(zip(ids, total.astype(np.float64)))
    cent = np.stack([sums[p] / np.linalg.norm(sums[p]) for p in ids]) if ids else np.zeros((0, prints.shape[1]))
    next_new = -1
    for i in sorted((i for i in range(n) if known[i] is None), key=lambda i: -weights[i]):
        v = prints[i]
        sims = cent @ v
        best = int(np.argmax(sims)) if len(ids) else -1
        if best >= 0 and sims[best] >= threshold:
            pid = ids[best]
        elif founders[i]:
            pid, next_new = next_new, next_new - 1
            ids.append(pid)
            sums[pid] = np.zeros_like(v)
            cent = np.vstack([cent, v[None, :]])
            best = len(ids) - 1
        else:
            continue
        labels[i] = pid
        sums[pid] = sums[pid] + v * weights[i]
        cent[best] = sums[pid] / np.linalg.norm(sums[pid])
    conf = [0.0] * n  # for those placed now (the others keep what they were given)
    row = {pid: k for k, pid in enumerate(ids)}
    for i in range(n):
        if known[i] is None and labels[i] is not None:
            conf[i] = float(prints[i] @ cent[row[labels[i]]])
    return Grouping(labels, conf, -next_new - 1)


def owner_of(labels: list[int | None], speakers: list[str | None], weights: np.ndarray) -> int | None:
    """The person most of whose voice is the owner's ('me'), weighing by duration."""
    me, total = Counter(), Counter()
    for pid, sp, w in zip(labels, speakers, weights):
        if pid is not None:
            total[pid] += float(w)
            if sp == "me":
                me[pid] += float(w)
    if not me:
        return None
    pid = max(me, key=lambda p: me[p])
    return pid if me[pid] > total[pid] / 2 else None


def group(vault) -> dict[str, int]:
    """Every new voice and chat line to its person; names guessed where clear; names onto moments."""
    db = vault.db
    rows = store.voice_rows(db)
    now = datetime.now().isoformat(timespec="seconds")
    placed = new_people = 0
    with vault.transaction() as tx:
        if rows:
            prints = np.stack([np.frombuffer(r["vector"], np.float32) for r in rows])
            weights = np.array([max(float(r["dur"]), 0.1) for r in rows])
            known = [r["person_id"] for r in rows]
            made: dict[int, int] = {}
            labels, fresh = known, []
            if any(k is None for k in known):
                result = group_voices(prints, weights, known, float(vault.settings["speaker_threshold"]),
                                      founders=weights >= MIN_FOUNDER_S)
                for pid in sorted({p for p in result.labels if p is not None and p < 0}, reverse=True):
                    made[pid] = store.new_person(tx, now)
                labels = [made.get(p, p) for p in result.labels]
                fresh = [(r["rid"], p, c) for r, p, c, k in zip(rows, labels, result.confidence, known)
                         if p is not None and k is None]
            store.assign(tx, fresh)
            store.set_owner(tx, owner_of(labels, [r["speaker"] for r in rows], weights))
            placed, new_people = len(fresh), len(made)
        placed += _chat_partners(tx, now)
        named = _guess_names(tx) if placed else 0  # nothing new was said: the votes are as they were
        store.drop_empty(tx)
        renamed = store.sync_names(tx)
    return {"placed": placed, "new_people": new_people, "named_from_speech": named, "names_changed": renamed}


def refresh(vault) -> dict[str, int]:
    """Group now, then let privacy rules and the profile follow the names (`sideload people refresh`)."""
    from sideload.lifecycle.people import follow

    result = group(vault)
    follow(vault)
    return result


def _chat_partners(tx, now: str) -> int:
    """A chat partner is a person by their sender name (one person per name)."""
    lines = store.chat_partners(tx)
    by_name: dict[str, int] = {}
    for rid, name in lines:
        key = name.strip().lower()
        if key not in by_name:
            found = store.person_by_name(tx, name.strip())
            by_name[key] = found[0] if found else store.new_person(tx, now, name.strip(), "chat")
    store.assign(tx, [(rid, by_name[name.strip().lower()], 1.0) for rid, name in lines])
    return len(lines)


_NAME = r"([A-Z][a-z]{2,14})"
_AFTER_NAME = r"\b(?!\s[A-Z])(?=\s*(?:[.,!?]|$|here|speaking))"
_MY_NAME = re.compile(rf"\b(?i:my name is|my name's)\s{_NAME}\b(?!\s[A-Z])")
_INTRO = re.compile(rf"\b(?:I'm|I am|(?i:this is|it's))\s{_NAME}{_AFTER_NAME}")  # also "this is Lisbon": weaker
_GREET = r"(?i:thanks|thank you|hi|hello|hey|bye|goodbye|good morning|morning|evening|sorry|please|yes|no|okay|ok|right|well|so)"
# "Hi Maria, ..." at the start, or "... thanks, Maria." / "Maria?" at the end of what was said; each is
# tried on a few words at that end only (a search over the whole text was most of the step's time)
_ADDRESS_START = re.compile(rf"{_GREET},?\s{_NAME}\b(?!\s[A-Z])")
_ADDRESS_END = re.compile(rf"(?:^|[.!?]\s|,\s|\b{_GREET},?\s){_NAME}[.!?]?\s*$")
_EDGE = 40


_GREET_WORDS = tuple(_GREET[4:-1].split("|"))


def addressed(text: str) -> str | None:
    """The name someone is addressed by at the start or the end of `text`, if any."""
    m = None
    if text[:12].lower().startswith(_GREET_WORDS):
        m = _ADDRESS_START.match(text[:_EDGE])
    last = text.rstrip(" .!?").rsplit(None, 1)[-1:]
    if m is None and last and last[0][:1].isupper():  # most words said last are no name: no regex then
        m = _ADDRESS_END.search(text[-_EDGE:])
    if m is None or m.group(1) in NOT_NAMES:
        return None
    if m.re is _ADDRESS_END and m.group(0).startswith(",") and not m.group(0).rstrip().endswith((".", "!", "?")):
        return None  # ", Lisbon" trailing off is no address
    return m.group(1)


def name_votes(turns: list, only: set[int] | None = None) -> dict[int, Counter]:
    """Per person (of `only`, else everyone), the names that speech gives them: "my name is Maria"
    counts 2; "I'm Maria", and being addressed by name by another voice just before their turn, count 1."""
    votes: dict[int, Counter] = defaultdict(Counter)
    prev = None
    for t in turns:
        pid = t["person_id"]
        if pid is not None and (only is None or pid in only):
            text = (t["text"] or "").strip()
            for rx, weight in ((_MY_NAME, 2), (_INTRO, 1)):
                for m in rx.finditer(text):
                    if m.group(1) not in NOT_NAMES:
                        votes[pid][m.group(1)] += weight
            if (prev is not None and prev["file_id"] == t["file_id"] and prev["person_id"] != pid
                    and t["start_s"] - prev["end_s"] <= TURN_GAP_S):
                name = addressed((prev["text"] or "").strip())
                if name:
                    votes[pid][name] += 1
        prev = t
    return votes


def _guess_names(tx) -> int:
    """Names from speech for people the owner has not named: only a clear winner with two votes."""
    people = {r["person_id"]: r for r in store.person_rows(tx)
              if not r["is_owner"] and r["named_by"] not in ("owner", "chat") and r["spoken"]}
    if not people:
        return 0
    changed = 0
    for pid, counts in name_votes(store.speech_turns(tx), set(people)).items():
        p = people[pid]
        (name, top), *rest = counts.most_common(2) + [("", 0)]
        if top >= 2 and top >= 2 * rest[0][1] and (p["name"], p["named_by"]) != (name, "speech"):
            store.set_name(tx, pid, name, "speech")
            changed += 1
    return changed
