"""How the persona says things: which sentence of a memory answers, who said it, when, and in the
first person. Pure text functions, no model and no vault."""
from __future__ import annotations

import re
from datetime import datetime

from sideload.recall.words import keyword_terms, stem
from sideload.sentences import ABBREVIATION, ends_in_abbreviation

EXCERPT_CHARS = 320
_NEGATION = re.compile(r"\b(not|never|no|none|nothing|didn't|don't|doesn't|wasn't|weren't|isn't|can't|won't|"
                       r"couldn't|wouldn't|hadn't|haven't|n't|forgot|forget|forgotten|lost|missed|failed)\b", re.I)
REFUSAL = re.compile(r"\b(sorry|as an ai|language model|i cannot|i can't help|not familiar|homework|assist you)\b", re.I)


_SENTENCE_BREAK = re.compile(r"(?<=[.!?;])\s+(?=[A-Z“\"'(])")


def sentences(text: str) -> list[str]:
    parts = _SENTENCE_BREAK.split(text.replace("\n", " "))
    out: list[str] = []
    for p in (p.strip() for p in parts):
        if out and ABBREVIATION.search(out[-1]):
            out[-1] += " " + p  # "W. Hewer", "Mr. Povy": an initial or a title ends no sentence
        elif p:
            out.append(p)
    return out


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where each of `sentences(text)` stands in the text: (start, end) offsets."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for brk in [*_SENTENCE_BREAK.finditer(text), None]:
        end = brk.start() if brk else len(text)
        start = pos + len(text[pos:end]) - len(text[pos:end].lstrip())
        if start < end:
            if spans and ABBREVIATION.search(text[spans[-1][0]:spans[-1][1]]):
                spans[-1] = (spans[-1][0], end)  # "W. Hewer": one sentence, as `sentences` has it
            else:
                spans.append((start, end))
        pos = brk.end() if brk else len(text)
    return spans


_FULL_STOP = re.compile(r"[.!?][”\"')]?(?=\s|$)")


_LOWER_NEXT = re.compile(r"\s+[a-z]")


def _stops(text: str, lo: int, hi: int) -> list[int]:
    """Where sentences end in text[lo:hi] (after the stop); "Sir W. Penn" and "Mr. Povy" do not end one,
    nor does a stop before a small letter: "costs me 26s. to the altering", "viz. the hemp"."""
    return [m.end() for m in _FULL_STOP.finditer(text, lo, hi)
            if not ends_in_abbreviation(text, m.start()) and not _LOWER_NEXT.match(text, m.end())]


def whole_sentences(text: str, start: int, end: int, reach: int = 300, around: int = 0) -> str:
    """text[start:end] widened to whole sentences, at most `reach` characters each way. A passage is
    cut at semicolons, and a diarist's verdict often stands after one ("saw Romeo and Juliet, the first
    time it was ever acted; but it is a play of itself the worst that ever I heard"): a quote that
    stops at the semicolon leaves the answer out."""
    if not _stops(text, max(start, end - 3), end):
        end = _next_end(text, end, reach)
    if start > 0 and not _stops(text, max(0, start - 4), start):
        title = re.search(r"(?:\b[A-Z][a-z]{0,2}\.\s+)+$", text[max(0, start - 16):start])
        # no sentence start within reach: at least not "Knipp." without the "Mrs." the passage cut off
        start = _previous_start(text, start, reach, title=len(title.group(0)) if title else 0)
    for _ in range(around):  # and the sentences beside it: "He saw four little girls" needs who "he" was
        end = _next_end(text, end, reach)
        start = _previous_start(text, start, reach)
    return text[start:end].strip()


def _next_end(text: str, end: int, reach: int) -> int:
    """The end of the next sentence after `end` (not the stop `end` stands at), or of a clause."""
    after = [a for a in _stops(text, end, min(len(text), end + reach)) if text[end:a].strip(" \u201d\"')")]
    return after[0] if after else _clause_end(text, end, reach)


def _previous_start(text: str, start: int, reach: int, title: int = 0) -> int:
    """The start of the sentence before `start` (not the one it begins), or of a clause. A closing
    quotation mark stays with the stop it closes: "to be got.\u201d But that ..." starts at "But"."""
    before = [b for b in _stops(text, max(0, start - reach), start) if text[b:start].strip()]
    if before:
        return before[-1]
    if title:
        return max(0, start - title)
    return 0 if start <= reach else _clause_start(text, start, reach)


def _clause_end(text: str, end: int, reach: int) -> int:
    """Where to stop a quote whose sentence runs on past `reach` (a diarist's often does): at its last
    semicolon or colon within reach, else its last comma. A quote that stops at "to the Jewish
    Synagogue:" leaves out all he saw there."""
    stretch = text[end:end + reach]
    for marks in (";:", ","):
        at = max(stretch.rfind(c) for c in marks)
        if at > 0:
            return end + at + 1
    return end


def _clause_start(text: str, start: int, reach: int) -> int:
    """Where to begin a quote whose sentence began before `reach`: after its first semicolon or colon
    within reach, else its first comma ("I have two tierces of Claret ...; a vessel of Tent" is
    quoted from the Claret, not from the Tent)."""
    lo = max(0, start - reach)
    stretch = text[lo:start].rstrip()
    if stretch[-1:] in (";", ":", ","):
        stretch = stretch[:-1]  # the clause the quote begins now is not the one before it
    for marks in (";:", ","):
        found = [i for i in (stretch.find(c) for c in marks) if i >= 0]
        if found:
            return lo + min(found) + 1
    return start


# what kind of words answer a question: "how many ships?" a number, "who told me?" a name
_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
                     r"fifty|hundred|thousand|score|dozen|half|shillings?|pounds?|pence)\b|£", re.I)
_NAME = re.compile(r"(?<=[a-z,;:] )(?:(?:Mr|Mrs|Sir|Lord|Lady|Dr|Captain)\.?\s+)?[A-Z][a-z]{2,}")
# a sum, as a diarist writes it: "£858", "26s.", "2,800l.", "a shilling", "twenty pieces in gold"
_MONEY = re.compile(r"£|\b\d[\d,]*\s?[lsd]\b\.?|\b(?:shillings?|pounds?|pence|crowns?|guineas?|pieces)\b", re.I)
# "how much did I spend", "spent on clothes" ask for a sum; "how did I spend Christmas?" does not
_SPENT = r"\bhow much\b[^?]*\bspen[dt]\b|\bspen[dt]\b(?:\s+\w+){0,2}\s+on\s+(?!\d|\w+day\b|christmas\b|new year)"
_ASKS = [(_MONEY, re.compile(rf"\b(?:cost|costs|price|worth|paid|pay|money|fortune|saved|wages?|salary)\b|{_SPENT}",
                             re.I)),
         (_NUMBER, re.compile(r"\bhow (?:many|much|long|old|often|far)\b", re.I)),  # a sum is asked for above
         (_NAME, re.compile(r"^\W*(?:\w+,\s*)?(?:who|whom|whose)\b|\bwhich (?:actor|person|man|woman|lady|girl|boy)\b",
                            re.I))]
_ORDINAL = re.compile(r"\b\d+(?:st|nd|rd|th)\b")
_PRONOUN_START = re.compile(r"^(?:He|She|They|His|Her|Their|Him)\b")


def answer_kind(question: str) -> re.Pattern | None:
    """The pattern of the words that would answer the question, when its form says ("how much ...?")."""
    return next((kind for kind, asks in _ASKS if asks.search(question)), None)


def answers(sentence: str, stems: set[str], answer: re.Pattern | None = None) -> float:
    """How well a sentence answers: how many of the question's words (stems) it holds, and more when it
    holds the kind of word that answers (`answer_kind`); a day's ordinal ("on the 21st") answers no
    "how much?"."""
    held = len(stems & {stem(w) for w in keyword_terms(sentence)})
    return held + (1.5 if held and holds_kind(sentence, answer) else 0)


def holds_kind(text: str, answer: re.Pattern | None) -> bool:
    """Whether the text holds the kind of word that answers (a day's ordinal is no number asked for)."""
    return answer is not None and bool(answer.search(_ORDINAL.sub("", text)))


def excerpt(text: str, terms: list[str], limit: int = EXCERPT_CHARS, answer: re.Pattern | None = None) -> str:
    """The sentence (and its neighbours, as room allows) that holds most of the question's words, and
    the kind of word that answers it (`answer_kind`) where the question asks for one."""
    sents = sentences(text)
    if not sents:
        return ""
    if len(text) <= limit:
        return " ".join(text.split())
    stems = {stem(t) for t in terms}

    # where no sentence holds a word of the question, the one holding the kind of word that answers:
    # "how much had I saved?" is answered by "worth £1,349", not by the date line before it
    best = max(range(len(sents)), key=lambda i: (answers(sents[i], stems, answer), holds_kind(sents[i], answer), -i))
    if len(sents[best]) > limit:  # one endless sentence (a diarist's): the stretch of it around its words
        return _window(sents[best], stems, limit, answer)
    lo = hi = best
    out = sents[best]
    if best > 0 and _PRONOUN_START.match(out) and len(out) + len(sents[best - 1]) + 1 <= limit:
        lo -= 1  # "He saw four little girls": who he was stands in the sentence before
        out = sents[lo] + " " + out
    while True:
        grown = False
        if hi + 1 < len(sents) and len(out) + len(sents[hi + 1]) + 1 <= limit:
            hi += 1
            out = out + " " + sents[hi]
            grown = True
        if lo > 0 and len(out) + len(sents[lo - 1]) + 1 <= limit:
            lo -= 1
            out = sents[lo] + " " + out
            grown = True
        if not grown:
            break
    if hi + 1 < len(sents) and len(out) < limit // 2:
        # a date line ("March 1st.") before a long sentence: the start of that sentence too, not "March 1st. …"
        out += " " + sents[hi + 1][: limit - len(out) - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    if len(out) > limit:
        out = out[: limit - 1].rsplit(" ", 1)[0] + "…"
    return ("… " if lo > 0 else "") + out + (" …" if hi < len(sents) - 1 else "")


def closing(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The last whole sentences of the text that fit in `limit` (at least the last one, cut at its start
    if it is longer): where a diarist sums up the day or the month."""
    sents = sentences(text)
    if not sents:
        return ""
    out, i = sents[-1], len(sents) - 1
    while i > 0 and len(out) + len(sents[i - 1]) + 1 <= limit:
        i -= 1
        out = sents[i] + " " + out
    if len(out) > limit:
        out = out[len(out) - limit + 1:].split(" ", 1)[-1]
        return "… " + out
    return ("… " if i > 0 else "") + out


def _kind_at(text: str, answer: re.Pattern | None) -> list[int]:
    """Where the words of the kind that answers stand in the text (a day's ordinal is none)."""
    if answer is None:
        return []
    ordinals = [m.span() for m in _ORDINAL.finditer(text)]
    return [m.start() for m in answer.finditer(text) if not any(a <= m.start() < b for a, b in ordinals)]


def _window(sentence: str, stems: set[str], limit: int, answer: re.Pattern | None = None) -> str:
    """About `limit` characters of a long sentence, from a little before the first of its words that
    the question holds, cut at word boundaries; moved on to the word of the kind that answers when
    that stands further ("to find myself, by the great blessing of God, worth £1,349")."""
    at = next((m.start() for m in re.finditer(r"[\w']+", sentence) if stem(m.group(0).lower()) in stems), 0)
    lo = max(0, min(at - limit // 4, len(sentence) - limit))
    kinds = _kind_at(sentence, answer)
    if kinds and not any(lo <= k < lo + limit - 24 for k in kinds):
        k = next((k for k in kinds if k >= at), kinds[0])
        lo = max(0, min(k - limit // 2, len(sentence) - limit))
    out = sentence[lo:lo + limit]
    if lo > 0:
        out = out.split(" ", 1)[-1]
    if lo + limit < len(sentence):
        out = out.rsplit(" ", 1)[0]
    return ("… " if lo > 0 else "") + out.strip() + (" …" if lo + limit < len(sentence) else "")


def when_of(m: dict) -> str:
    s = m.get("started_at") or ""
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        return s or "some day"
    day = f"{dt.day} {dt.strftime('%B')} {dt.year}"
    return day if len(s) <= 10 else f"{day}, {dt.strftime('%H:%M')}"


_SECOND_PERSON = [(r"\bYou are\b", "I am"), (r"\byou are\b", "I am"), (r"\bYou're\b", "I'm"),
                  (r"\byou're\b", "I'm"), (r"\bYour\b", "My"), (r"\byour\b", "my"), (r"\byours\b", "mine"),
                  (r"^You\b", "I"), (r"(?<=[.!?] )You\b", "I")]


# a small model's preamble: 'The answer to this question is: "A bill of Cocke's ..."'
_PREAMBLE = re.compile(r"^\s*(?:the\s+)?answer(?:\s+to\s+(?:this|the|your)\s+question)?(?:\s+is)?\s*:\s*", re.I)


def first_person(lead: str) -> str:
    """Small models often answer 'You put your passport...'; the persona speaks as 'I', and without
    announcing that an answer follows."""
    if _PREAMBLE.match(lead):
        lead = _PREAMBLE.sub("", lead).strip().strip('"“”')
    for pattern, repl in _SECOND_PERSON:
        lead = re.sub(pattern, repl, lead)
    return lead


def _negations(text: str) -> set[str]:
    """The words that turn a sentence around, "didn't" and "did not" alike."""
    return {"not" if w.lower().endswith("n't") or w.lower() in ("no", "none", "nothing") else
            "forget" if w.lower().startswith("forg") else w.lower() for w in _NEGATION.findall(text)}


_YEAR = re.compile(r"\b(?:1[5-9]\d\d|20\d\d)\b")


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}


def grounded(lead: str, evidence: str, question: str) -> bool:
    """A lead is kept only when it speaks from the evidence, not around it."""
    if not lead or REFUSAL.search(lead):
        return False
    words = set(keyword_terms(lead))
    if not words:
        return False
    from_evidence = {stem(w) for w in keyword_terms(evidence)}
    if sum(1 for w in words if stem(w) in from_evidence) / len(words) < 0.5:
        return False  # the question said back ("Mum, who did Dad pick as his Valentine ...") is no answer
    from_question = {stem(w) for w in keyword_terms(question)}
    if {stem(w) for w in words} <= from_question:
        return False  # nor a piece of it ("W. Hewer to me...")
    known = from_evidence | from_question
    if not _negations(lead) <= _negations(evidence):
        return False  # a small model turns "went well" into "I didn't enjoy it", "I put" into "I forgot to put"
    if not _numbers(lead) <= _numbers(evidence + " " + question):
        return False  # nor may it bring a number of its own ("I was 17 years old when ...")
    if not set(_YEAR.findall(lead)) <= set(_YEAR.findall(evidence)):
        return False  # nor the question's year where the memory is of another ("at Christmas 1662", of 1663)
    if sum(1 for w in words if stem(w) in known) / len(words) < 0.6:
        return False
    # and what it adds to the question stands together in the evidence, as a sentence or two of it: a
    # small model stitches words from all over a quote ("My best friend: Mrs. The (I wrote) Betty (the
    # mother of the King)")
    adds = {stem(w) for w in words} - from_question
    if len(adds) < 3:
        return True
    near = [{stem(w) for w in keyword_terms(s)} for s in sentences(evidence)]
    together = max((len(adds & (a | b)) for a, b in zip(near, near[1:] + [set()])), default=0)
    return together / len(adds) >= 0.6




def who_said(m: dict) -> str:
    """The speaker, right: what the owner said is "I said", what others said carries their name
    ("Sam wrote", "Maria said") where it is known, "someone told me" where it is not."""
    kind, speaker, name = m.get("kind"), m.get("speaker"), (m.get("speaker_name") or "").strip()
    if kind in ("scene", "photo"):
        return "I saw"
    if kind == "text":
        if speaker in ("me", None):
            return "I wrote"
        return f"{name} wrote to me" if name else "someone wrote to me"
    if speaker == "me":
        return "I said"
    if speaker == "other":
        return f"{name} told me" if name else "someone told me"
    return "I heard"


def cited(quotes, numbered: bool) -> list[str]:
    """The quotes as an answer cites them: numbered in time order for an account of a stretch or a
    person, else the answer's memory first and the others "Also, ..."."""
    if numbered:
        return [f"[{i}] {when_of(m)}, {who_said(m)}: “{q}”" for i, (m, q) in enumerate(quotes, 1)]
    (first, first_quote), rest = quotes[0], quotes[1:]
    lines = [f"On {when_of(first)} {who_said(first)}: “{first_quote}”"]
    lines += [f"Also, on {when_of(m)}, {who_said(m)}: “{q}”" for m, q in rest]
    return lines
