"""What of a moment's words and frame may leave the vault, and as what.

The owner's own words go as they are. Someone else's words go only when the owner recorded that
person's consent (setting `dataset_consenting_people`, matched to the speaker's name, case and spacing
ignored); then with a pseudonym for the person, never the name. Anyone else, a voice without a name
included, becomes a marker: the dataset keeps that someone spoke then, not what was said. Text read
in a frame (a sign, a screen, a letter) is left out whole: it can hold anyone's words and names, and
nobody consented for it. Frame facts pass through a fixed list, so a field added later to a moment's
metadata never leaks by default.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from sideload.dataset.pseudonym import person_id

OTHER_MARKER = "[someone else spoke]"
OWNER, OTHER = "owner", "other"
FRAME_FACTS = ("faces", "colour", "brightness", "sharpness", "motion", "labels", "place", "describer")


def normal_name(name: str) -> str:
    return " ".join(name.casefold().split())


@dataclass(frozen=True)
class Consent:
    """The people whose words the owner may share, and the owner's own names (normalised)."""

    people: frozenset[str]
    owner: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, settings: Any) -> "Consent":
        def names(values) -> frozenset[str]:
            return frozenset(normal_name(n) for n in values if n and n.strip())

        return cls(names(settings["dataset_consenting_people"]),
                   names([settings["owner_name"], *settings["owner_aliases"]]))

    def covers(self, name: str | None) -> bool:
        return bool(name) and normal_name(name) in self.people

    def is_owner(self, name: str | None) -> bool:
        """A diary line whose author is the owner's own name (the importer cannot know it is theirs)."""
        return bool(name) and normal_name(name) in self.owner


@dataclass(frozen=True)
class Words:
    text: str
    speaker: str | None  # owner | other; None where nobody spoke (a scene, a photo)
    speaker_id: str | None  # a consenting person's pseudonym
    redacted: bool  # something was left out of this moment's words


def words_of(row: sqlite3.Row, consent: Consent, secret: str) -> Words:
    if row["kind"] in ("scene", "photo"):
        return Words("", None, None, redacted=bool(row["text"]))  # text read in the frame
    if row["speaker"] == "me" or (row["kind"] == "text" and consent.is_owner(row["speaker_name"])):
        return Words(row["text"], OWNER, None, redacted=False)
    if consent.covers(row["speaker_name"]):
        return Words(row["text"], OTHER, person_id(secret, row["speaker_name"]), redacted=False)
    return Words(OTHER_MARKER, OTHER, None, redacted=True)


def caption_of(caption: str | None, ocr: str) -> str | None:
    """The frame's caption without the text read in it; None if that text cannot be cut out cleanly."""
    if not caption or not ocr:
        return caption
    for part in (f'; text: "{ocr}"', f'text: "{ocr}"; ', f'text: "{ocr}"'):
        caption = caption.replace(part, "")
    return None if ocr in caption else caption


def frame_facts(meta: dict) -> dict:
    return {k: meta[k] for k in FRAME_FACTS if k in meta}
