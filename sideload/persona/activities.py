"""Coarse topic tags (meal, work, travel, ...) for the research dataset's records only.

Prediction, the profile's routines and `sideload activities` no longer use this list: the person's
activities are discovered from their own moments and named in their words (`discovery`, `naming`).
A fixed lexicon stays here because the dataset card documents these tags as a stable field.
"""
from __future__ import annotations

import re

# activity -> words (stems) that signal it; first match by strongest count wins
LEXICON: dict[str, tuple[str, ...]] = {
    "sleep": ("bed", "sleep", "slept", "asleep", "nap", "woke", "wake"),
    "meal": ("breakfast", "lunch", "dinner", "supper", "dine", "dined", "eat", "ate", "meal", "cook", "cooked", "restaurant", "cafe"),
    "work": ("office", "meeting", "work", "report", "budget", "client", "colleague", "desk", "email", "project", "business"),
    "exercise": ("gym", "run", "ran", "running", "tennis", "swim", "swam", "yoga", "bike", "cycling", "football", "workout"),
    "walk": ("walk", "walked", "walking", "stroll", "park"),
    "travel": ("bus", "train", "coach", "boat", "car", "drive", "drove", "taxi", "flight", "airport", "station", "water"),
    "shopping": ("shop", "shopping", "bought", "buy", "market", "store", "bakery", "groceries"),
    "health": ("dentist", "doctor", "hospital", "pharmacy", "physic", "medicine", "appointment", "clinic"),
    "worship": ("church", "sermon", "chapel", "prayer", "prayers"),
    "social": ("friend", "friends", "party", "visit", "visited", "tavern", "pub", "guests", "company"),
    "music": ("music", "sing", "sang", "lute", "violin", "piano", "concert", "play", "played"),
    "reading": ("read", "reading", "book", "books", "library", "newspaper"),
    "chores": ("clean", "cleaning", "laundry", "garden", "repair", "fix", "tidy", "dishes"),
}
_INDEX = {w: act for act, words in LEXICON.items() for w in words}
_WORD = re.compile(r"[a-z']+")


def activities_in(text: str) -> list[str]:
    """Activities a text speaks of, strongest first."""
    counts: dict[str, int] = {}
    for w in _WORD.findall(text.lower()):
        act = _INDEX.get(w)
        if act:
            counts[act] = counts.get(act, 0) + 1
    return sorted(counts, key=lambda a: (-counts[a], list(LEXICON).index(a)))


def activity_of(text: str) -> str | None:
    found = activities_in(text)
    return found[0] if found else None
