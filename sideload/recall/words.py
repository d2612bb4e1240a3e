"""The words of a question that search and the persona compare with a memory's: no stopwords, and a
light stem so "wants" meets "want"."""
from __future__ import annotations

import re

STOPWORDS = set("""a an and are as at be but by did do does doing for from had has have how i if in into is it its
me my myself of on or our so than that the their them then there these they this those to was we were what when
where which who whom why will with would you your yours about again all am any because been before being below
between both can could down during each few further here just more most no nor not now off once only other out over
own same she he her his him should some such too under until up very said say tell told anything something
everything nothing thing things ever""".split())


_SUFFIXES = ("ational", "ations", "ation", "ments", "ment", "ings", "ing", "edly", "ies", "ied", "ers", "ed",
             "es", "er", "ly", "s")


def stem(word: str) -> str:
    """A light stem for matching a question's words to a memory's ("wants" and "want", "budgets" and
    "budget", "walked" and "walk"); full-text search does its own (Porter) stemming."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            if suffix in ("ing", "ed", "er", "ers", "ings") and len(word) > 3 and word[-1] == word[-2] \
                    and word[-1] not in "lsz":
                word = word[:-1]  # "swimming" and "swim", "repotted" and "repot"
            break
    return word[:5]


def keyword_terms(text: str) -> list[str]:
    words = re.findall(r"[\w']+", text.lower())
    return [w.strip("'") for w in words if w.strip("'") and w not in STOPWORDS and len(w) > 1]


# the forms of common irregular verbs, which no stem joins ("buy" and "bought", "eat" and "ate")
_IRREGULAR = [g.split() for g in """
    buy bought | eat ate eaten | see saw seen | go went gone | give gave given | take took taken | make made
    find found | pay paid | sell sold | bring brought | think thought | come came | get got gotten | meet met
    leave left | lose lost | win won | sing sang sung | write wrote written | teach taught | catch caught
    fight fought | hear heard | keep kept | sleep slept | feel felt | spend spent | send sent | build built
    lend lent | stand stood | wear wore worn | drink drank drunk | ride rode ridden | speak spoke spoken
    steal stole stolen | break broke broken | choose chose chosen | fall fell fallen | forget forgot forgotten
    begin began begun | swim swam swum | run ran | sit sat | know knew known | grow grew grown
    throw threw thrown | fly flew flown | draw drew drawn | hide hid hidden | wake woke woken | hold held
    seek sought | forgive forgave forgiven
""".replace("\n", " ").split("|")]
_FORMS = {w: group for group in _IRREGULAR for w in group}


def other_forms(word: str) -> list[str]:
    """The other forms of an irregular verb ("buy": bought), none for any other word."""
    return [f for f in _FORMS.get(word, []) if f != word]
