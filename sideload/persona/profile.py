"""The distilled profile: people, places, routines, preferences and ways of speaking, each fact
linked to the moments that show it.

Incremental: each new moment is read once for mentions (table `mentions`, removed with its moment),
and facts are re-aggregated from those. The owner's corrections (`source = 'owner'`) and removals
(`hidden`) always win over what distillation finds.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sideload.persona.predict import events_from_vault
from sideload.store import activities as activities_store
from sideload.store import people as people_store
from sideload.store import profile_facts as store

RELATIONS = ("wife", "husband", "partner", "mother", "father", "mum", "mom", "dad", "brother", "sister", "son",
             "daughter", "cousin", "uncle", "aunt", "friend", "boss", "colleague", "neighbour", "neighbor", "clerk",
             "boy", "maid", "servant", "doctor", "dentist", "lord", "lady", "master", "landlord", "girlfriend",
             "boyfriend", "grandmother", "grandfather", "niece", "nephew", "tutor", "teacher")
TITLES = r"(?:Mr|Mrs|Ms|Miss|Dr|Sir|Lady|Lord|Captain|Capt|Col|Major|Sister|Father|Madam|Mistress)\.?"
NAME = r"[A-Z][a-z]+(?:\s[A-Z][a-z]+)?"
_TITLED = re.compile(rf"\b({TITLES}\s(?:[A-Z]\.\s)?{NAME})")
_INITIAL = re.compile(r"\b((?:[A-Z]\.\s|[A-Z][a-z]{1,3}\.\s|Will\s|Tom\s|Jack\s)[A-Z][a-z]{2,})\b")
# the relation word in any case, the name after it capitalised ("my wife and I" names no one)
# a relation may run through another ("my wife's brother, Balty") or be by marriage ("my
# brother-in-law Balty"); a name may be an initial and a surname ("my servants, W. Hewer, Sarah")
_REL = rf"(?i:(?:(?:wife|husband|father|mother|brother|sister|lord|lady|uncle|aunt)'s\s)?(?:{'|'.join(RELATIONS)})(?:-in-law)?)"
_PERSON = rf"(?:{TITLES}\s)?(?:[A-Z]\.\s|Will\s|Tom\s|Jack\s)?[A-Z][a-z]+(?:\s[A-Z][a-z]+)?"
_MY_REL = re.compile(rf"\b(?i:my)\s({_REL})(?:s\b|\b)(?:,?\s({_PERSON}))?")
# "W. Hewer, my clerk, came": the relation closes a clause; in "to my Lord Sandwich, my wife would needs
# go" a sentence goes on
_REL_AFTER = re.compile(rf"\b({_PERSON}),\s(?i:my)\s({_REL})\b(?=\s*(?:[,;:.!?)]|$)|\s+(?:who|whom|that)\b)")
READER_VERSION = 4  # 2: relations through another ("my wife's brother") and initialled names;
# 3: "my Lord Sandwich", "my Lady Batten" are names with a form of address, not relations; "St. James" is
# no person; 4: "my wife, Ashwell and I" and "Creed, my wife, and I" are lists, not wives, and "my Lord
# Sandwich, my wife would needs go" makes no wife
_LISTED = re.compile(r",?\s+and\s+(?:(?:I|me|we|us|the)\b|[A-Z])|,\s+(?:Mr|Mrs|Sir|[A-Z]\.|[A-Z][a-z]+)[^,;.]*?\s+and\s+(?:I|me|[A-Z])")
_ADDRESS = {"lord", "lady", "master"}
_PLACE = re.compile(r"\b(?:at|to|in|from|near|into)\s(?:the\s)?((?:[A-Z][a-z]+)(?:[\s-](?:[A-Z][a-z]+|Hall|House|Street|Park)){0,2})")
_PREF = re.compile(r"\bI\s(?:really\s|do\s|very\s much\s)?(love|like|enjoy|prefer|adore|hate|dislike|can't stand)\s([^.;!?\n]{3,60})", re.I)
_WORD = re.compile(r"[a-z']+")
TITLE_WORDS = {"mr", "mrs", "ms", "miss", "dr", "sir", "lady", "captain", "uncle", "aunt"}
# "St." begins a park, a palace or a church ("St. James's"), never a person met
NOT_NAMES = set("""I The A An And But So Then This That These Those My Our Your His Her Their It We He She They You
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August
September October November December Today Yesterday Tomorrow God Lord Lady Sir Mr Mrs Home Office Here There
Good Yes No Okay Right Great Do Don't Took Went Did After Before At To In From Up Down King Queen Will House
Duke Court Church Chapel St""".split())
STOP = set("""the a an and of to in i my me was is it that for on with at as by be this he she we they you his her
had have not but so all were are from or which there their them then what when into did do up out one our""".split())


def _name_ok(name: str) -> bool:
    first = name.split()[0].rstrip(".")
    return first not in NOT_NAMES or bool(re.match(TITLES, first))


def _plural(m: re.Match) -> bool:
    return m.group(0)[m.end(1) - m.start():].startswith("s")


def mentions_in(text: str, speaker: str | None) -> list[tuple[str, str, str]]:
    """(kind, key, detail) found in one moment's text."""
    text = text.replace("\u2019", "'")
    out: list[tuple[str, str, str]] = []
    people: set[str] = set()
    for m in _MY_REL.finditer(text):
        rel = m.group(1).lower()
        name = m.group(2)
        if name and _name_ok(name) and rel in _ADDRESS:
            # "my Lady Batten", "my Lord Sandwich": a form of address, part of the name, no relation;
            # taken as one, Sir W. Batten became "my lady" and Mr. Coventry "my lord"
            name = f"{rel.title()} {name}"
            out.append(("person", name, ""))
            people.add(name)
        elif name and _name_ok(name) and "," in m.group(0) and not _plural(m) and _LISTED.match(text, m.end()):
            # "my wife, Ashwell and I": a list of who went, not a wife called Ashwell ("my servants, W.
            # Hewer, Sarah and Nell" names the servants)
            out.append(("relation", rel, ""))
            out.append(("person", name, ""))
            people.add(name)
        elif name and _name_ok(name):
            out.append(("person", name, rel))
            people.add(name)
        else:
            out.append(("relation", rel, ""))
    for m in _REL_AFTER.finditer(text):
        if _name_ok(m.group(1)) and not _LISTED.match(text, m.end()):  # "Creed, my wife, and I": a list
            out.append(("person", m.group(1), m.group(2).lower()))
            people.add(m.group(1))
    for rx in (_TITLED, _INITIAL):
        for m in rx.finditer(text):
            name = " ".join(m.group(1).split())
            if _name_ok(name) and not any(name == p or p.endswith(" " + name) for p in people):
                out.append(("person", name, ""))
                people.add(name)
    for m in _PLACE.finditer(text):
        place = m.group(1)
        if place.split()[0] not in NOT_NAMES and place not in people and not any(place in p for p in people):
            out.append(("place", place, ""))
    # "Hewer, my clerk" and "W. Hewer" are one person: the longer name takes the relation
    names = [k for kind, k, _ in out if kind == "person"]
    merged: list[tuple[str, str, str]] = []
    for kind, key, detail in out:
        if kind == "person":
            longer = next((n for n in names if n != key and n.endswith(" " + key)), None)
            if longer:
                merged = [(k2, n2, d2 or detail) if (k2, n2) == ("person", longer) else (k2, n2, d2)
                          for k2, n2, d2 in merged]
                if ("person", longer) not in [(k2, n2) for k2, n2, _ in merged]:
                    merged.append(("person", longer, detail))
                continue
            if ("person", key) in [(k2, n2) for k2, n2, _ in merged]:
                merged = [(k2, n2, d2 or detail) if (k2, n2) == ("person", key) else (k2, n2, d2) for k2, n2, d2 in merged]
                continue
        merged.append((kind, key, detail))
    out = merged
    if speaker == "me":
        for m in _PREF.finditer(text):
            out.append(("preference", m.group(2).strip().rstrip(",").lower()[:60], m.group(1).lower()))
    return out


def update_mentions(vault) -> int:
    """Read the moments not read yet; returns how many were read."""
    # private moments are read too (their mentions are kept out when facts are distilled), so
    # releasing one later needs no second reading
    if store.reader_version(vault.db) < READER_VERSION:  # a better reader reads everything again, once
        with vault.transaction() as tx:
            store.restart_reading(tx, READER_VERSION)
    rows = store.moments_after(vault.db, store.mentions_read_up_to(vault.db))
    if not rows:
        return 0
    found = []
    for rid, text, speaker, speaker_name in rows:
        for kind, key, detail in mentions_in(text or "", speaker):
            found.append((rid, kind, key, detail))
        if speaker_name and speaker != "me":
            found.append((rid, "person", speaker_name, "chat"))
    with vault.transaction() as tx:  # the mentions and the mark of how far we read commit together
        store.save_mentions(tx, found, rows[-1][0])
    return len(rows)


def _when_summary(times: list[str]) -> dict[str, Any]:
    days = sorted(t[:10] for t in times if t)
    hours = [int(t[11:13]) for t in times if t and len(t) > 12]
    part = None
    if hours:
        h = Counter("morning" if x < 12 else "afternoon" if x < 17 else "evening" for x in hours).most_common(1)[0][0]
        part = h
    return {"first": days[0] if days else None, "last": days[-1] if days else None, "mostly": part}


def distil(vault, *, top_people: int = 40, top_places: int = 30) -> dict[str, int]:
    """Refresh the automatic facts from all mentions; the owner's own facts are left as they are."""
    update_mentions(vault)
    db = vault.db
    now = datetime.now().isoformat(timespec="seconds")
    facts: list[tuple[str, str, str, list[str], dict]] = []

    def gather(kind: str, limit: int, min_count: int = 2):
        for key, count, details in store.mention_counts(db, kind, min_count, limit):
            ev = store.mention_moments(db, kind, key)
            rels = Counter(d for d in (details or "").split("|") if d and d != "chat")
            yield key, count, rels, [e[0] for e in ev], [e[1] for e in ev]

    for key, count, rels, ev, times in gather("person", top_people):
        # a relation said twice, not a form of address: one slip of the reader ("Sir W. Batten" as "my
        # lady") is not shown on the owner's profile
        said = [(r, n) for r, n in rels.most_common() if n >= 2 and r not in _ADDRESS]
        rel = said[0][0] if said else None
        w = _when_summary(times)
        value = (f"my {rel}; " if rel else "") + f"appears in {count} moments, {w['first']} to {w['last']}" + \
            (f", mostly in the {w['mostly']}" if w["mostly"] else "")
        facts.append(("person", key, value, _spread(ev), {"count": count, "relation": rel, **w}))
    _add_voices(db, facts)
    for key, count, _, ev, times in gather("relation", 20):
        facts.append(("relation", key, f"my {key} is mentioned in {count} moments", _spread(ev), {"count": count}))
    for key, count, _, ev, times in gather("place", top_places):
        w = _when_summary(times)
        facts.append(("place", key, f"{count} moments, {w['first']} to {w['last']}", _spread(ev), {"count": count, **w}))
    for key, count, rels, ev, times in gather("preference", 30, min_count=1):
        verb = rels.most_common(1)[0][0] if rels else "like"
        facts.append(("preference", key, f"I {verb} {key}", _spread(ev), {"count": count}))
    facts += _routines(db)
    facts += _speech_style(db)
    with vault.transaction() as tx:
        store.replace_auto_facts(tx, facts, now)
    return dict(Counter(f[0] for f in facts))


def _add_voices(db, facts: list) -> None:
    """Named voices (sideload.store.people): a person also known from mentions gains how often I heard
    them; a voice never mentioned in words becomes a person fact of its own."""
    by_key = {f[1].lower(): i for i, f in enumerate(facts) if f[0] == "person"}
    for v in people_store.named_voices(db):
        ids, times = [m[0] for m in v["moments"]], [m[1] for m in v["moments"]]
        heard = f"I heard their voice in {len(ids)} moment{'s' if len(ids) != 1 else ''}"
        i = by_key.get(v["name"].lower())
        if i is None:
            w = _when_summary(times)
            facts.append(("person", v["name"], f"{heard}, {w['first']} to {w['last']}", _spread(ids),
                          {"count": len(ids), "voice_moments": len(ids), "relation": None, **w}))
        else:
            kind, key, value, ev, stats = facts[i]
            facts[i] = (kind, key, f"{value}; {heard}", _spread(list(dict.fromkeys(ev + ids))),
                        {**stats, "voice_moments": len(ids)})


def _spread(ids: list[str], n: int = 5) -> list[str]:
    """Evidence across the whole span, not just the first few."""
    if len(ids) <= n:
        return ids
    step = (len(ids) - 1) / (n - 1)
    return [ids[round(i * step)] for i in range(n)]


def _routines(db) -> list:
    """The discovered activities (`discovery`), by their names, with when they usually happen."""
    names = {r["activity_id"]: r["name"] for r in activities_store.activity_rows(db)}
    by_act: dict[str, list] = defaultdict(list)
    for e in events_from_vault(db):
        if e.activity in names:
            by_act[names[e.activity]].append(e)
    out = []
    for act, evs in sorted(by_act.items(), key=lambda kv: -len(kv[1])):
        if len(evs) < 3:
            continue
        hours = Counter(e.when.hour for e in evs)
        peak = hours.most_common(1)[0][0]
        weekend = sum(1 for e in evs if e.when.weekday() >= 5) / len(evs)
        days = "mostly at weekends" if weekend > 0.6 else "mostly on weekdays" if weekend < 0.15 else "any day"
        out.append(("routine", act, f"{act}: {len(evs)} times, most often around {peak:02d}:00, {days}",
                    _spread([e.moment_id for e in evs]), {"count": len(evs), "peak_hour": peak}))
    return out


def _speech_style(db) -> list:
    texts = [t.replace("\u2019", "'") for t in store.own_speech(db)]
    if not texts:
        return []
    sents = [s for t in texts for s in re.split(r"(?<=[.!?])\s+", t) if s.strip()]
    words = [w for t in texts for w in _WORD.findall(t.lower())]
    grams = Counter()
    for t in texts:
        ws = _WORD.findall(t.lower())
        for n in (2, 3):
            for i in range(len(ws) - n + 1):
                g = ws[i:i + n]
                if any(w not in STOP for w in g):
                    grams[" ".join(g)] += 1
    # a phrase is worth saying when it is more than stop words and recurs; "i will" is neither
    # nor is a name ("mr moore" belongs among the people), and "my lord's" says no more than "my lord"
    phrases, said = [], set()
    for g, c in grams.most_common(400):
        core = tuple(w.removesuffix("'s") for w in g.split() if w not in STOP)
        if any(w in TITLE_WORDS for w in g.split()[:-1]) and not set(g.split()) & {"to", "with", "at"}:
            continue
        if c >= 3 and len(core) >= 2 - (len(g.split()) == 3) and core not in said:
            phrases.append(g)  # "the tennis club" says no more than "tennis club"
            said.add(core)
    phrases = phrases[:12]
    avg = sum(len(_WORD.findall(s)) for s in sents) / max(len(sents), 1)
    out = [("speech", "sentence length", f"I speak in sentences of about {avg:.0f} words", [],
            {"avg_words": round(avg, 1)})]
    if len(words) >= 2000:  # below that, a count of different words says nothing about a person
        share = len(set(words)) / len(words)
        out.append(("speech", "vocabulary", f"a {'wide' if share > 0.3 else 'plain'} vocabulary: "
                    f"{len(set(words)):,} different words in {len(words):,} spoken", [], {"share": round(share, 3)}))
    if phrases:
        out.append(("speech", "phrases I often use", "; ".join(f"“{p}”" for p in phrases[:6]), [],
                    {"phrases": phrases}))
    return out


def facts(db, *, include_hidden: bool = False) -> list[dict[str, Any]]:
    rows = store.fact_rows(db, include_hidden=include_hidden)
    return [{"fact_id": r[0], "kind": r[1], "key": r[2], "value": r[3], "evidence": json.loads(r[4]),
             "stats": json.loads(r[5]), "source": r[6], "hidden": bool(r[7])} for r in rows]


def correct(vault, kind: str, key: str, value: str) -> None:
    """The owner's word: kept through every later distillation."""
    now = datetime.now().isoformat(timespec="seconds")
    with vault.transaction() as tx:
        store.set_owner_fact(tx, kind, key, value, now)


def remove(vault, kind: str, key: str) -> bool:
    """Hide a fact for good: distillation will not bring it back."""
    now = datetime.now().isoformat(timespec="seconds")
    with vault.transaction() as tx:
        return store.hide_fact(tx, kind, key, now)


def core_facts(db, limit: int = 6) -> str:
    """A few lines for the persona's prompt: who matters and where life happens."""
    people = [f for f in facts(db) if f["kind"] == "person"][:limit]
    places = [f for f in facts(db) if f["kind"] == "place"][:3]
    lines = [f"{p['key']} ({p['stats'].get('relation') or 'someone I know'})" if p["source"] == "auto"
             else f"{p['key']}: {p['value']}" for p in people]
    out = ("People in my life: " + "; ".join(lines) + ".") if lines else ""
    if places:
        out += " Places I go: " + ", ".join(p["key"] for p in places) + "."
    return out
