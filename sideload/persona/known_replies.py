"""Replies worked out from what the owner wrote, not chosen from search's hits: the age they were
(from a birthday's "now twenty-seven years") and the namesake they knew instead of the person asked
about. Each is a sentence and the one moment that bears it out, quoted where it says so."""
from __future__ import annotations

import re

from sideload.persona.age import Age
from sideload.persona.choosing import body
from sideload.persona.namesakes import Namesake
from sideload.persona.phrasing import EXCERPT_CHARS, excerpt, when_of, who_said, whole_sentences
from sideload.recall.words import keyword_terms
from sideload.store.queries import moments_by_ids


def namesake_reply(db, other: Namesake) -> tuple[str, list[dict]]:
    """Not the one asked about; the one of that surname the owner knew, where the owner first names
    them, quoted in the whole sentence that names them ("Matt. Wren" is not cut at "Matt.")."""
    said = moments_by_ids(db, [other.moment_id]) if other.moment_id else []
    text = other.sentence()
    if said:
        given, surname = other.others[0].split()
        written = said[0].get("text") or ""
        named = re.search(rf"\b{re.escape(given)}\.?\s+{re.escape(surname)}\b", written)
        quote = whole_sentences(written, named.start(), named.end()) if named else \
            excerpt(body(said[0]), keyword_terms(other.others[0]), limit=EXCERPT_CHARS)
        text += f"\n\nOn {when_of(said[0])} {who_said(said[0])}: “{quote}”"
    return text, said


def age_reply(db, age: Age) -> tuple[str, list[dict]]:
    """The age asked, worked out from the birthday where the owner wrote theirs, that entry cited."""
    said = moments_by_ids(db, [age.moment_id])
    text = age.sentence()
    if said:
        quote = excerpt(body(said[0]), ["birthday", "years", str(age.age_then)], limit=EXCERPT_CHARS)
        text += f"\n\nOn {when_of(said[0])} {who_said(said[0])}: “{quote}”"
    return text, said
