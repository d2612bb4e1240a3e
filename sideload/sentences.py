"""Where a sentence ends, for everything that cuts text: the passages the store indexes and the quotes
the persona makes. Pure text functions, no model and no vault.

A full stop after a title or an initial ends no sentence: "Mrs. Knipp", "Sir W. Penn", "Mr. Povy". The
store cuts passages at these ends, and a passage that ended at "Mrs." would leave the name it belongs
to in the next one: searched, quoted and cited apart from its title.
"""
from __future__ import annotations

import re

ABBREVIATION = re.compile(r"(?:\b[A-Z]|\bMr|\bMrs|\bDr|\bSt|\bMessrs|\bCapt|\bCol|\bNo|\bviz)\.$")


def ends_in_abbreviation(text: str, stop: int) -> bool:
    """Whether the full stop at text[stop] closes a title or an initial rather than a sentence."""
    return text[stop] == "." and ABBREVIATION.search(text, max(0, stop - 8), stop + 1) is not None
