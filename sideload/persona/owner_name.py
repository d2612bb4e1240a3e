"""Whose life is this? The profile's best guess at the owner's name, for the owner to confirm.

The persona speaks as the owner and must never call itself "the owner of this sideload", so a vault
without `owner_name` offers a guess where the owner's own records give one:
- chats: the owner of the phone writes in every chat, each partner only in their own, so a sender
  found in clearly more chat files than anyone else is the owner (two files at least);
- their own words: "my name is Sam", "this is Sam speaking", "I am Sam" in what the owner said or wrote.
The guess is only shown (CLI `profile`, the app's first-run question); it is never set silently.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from sideload.store import profile_facts

_SAYS_NAME = re.compile(r"\b(?i:my name is|this is|i am|i'm)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)(?!\w)(?:\s+speaking)?")
_NOT_NAMES = {"The", "This", "That", "Here", "It", "Not", "Very", "Just", "So", "Going", "Sorry", "Monday", "Tuesday",
              "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Fine", "Good", "Glad", "Sure", "Afraid", "Back",
              # titles and abbreviations ("this is St. James's") are no one's name
              "St", "Mr", "Mrs", "Ms", "Dr", "Sir", "Lord", "Lady", "Captain", "Saint"}


@dataclass
class NameGuess:
    name: str
    why: str  # in words, for the owner to judge

    def as_dict(self) -> dict:
        return {"name": self.name, "why": self.why}


def guess(db) -> NameGuess | None:
    """The best guess at the owner's name, or None when the records do not say."""
    senders = profile_facts.chat_senders(db)
    total = profile_facts.chat_files(db)
    if senders and total >= 2:
        top = senders[0]
        runner = senders[1]["files"] if len(senders) > 1 else 0
        if top["files"] >= 2 and top["files"] > runner and top["files"] >= 0.6 * total:
            return NameGuess(top["name"], f"writes in {top['files']} of the {total} chats")
    said: Counter[str] = Counter()
    for text in profile_facts.self_introductions(db):
        for m in _SAYS_NAME.finditer(text):
            name = m.group(1)
            if name.split()[0] not in _NOT_NAMES:
                said[name] += 1
    if said:
        name, n = max(said.items(), key=lambda kv: (kv[1], len(kv[0].split())))  # a full name wins a tie
        return NameGuess(name, f"says \"my name is {name}\" or the like {n} time{'s' if n > 1 else ''}")
    return None
