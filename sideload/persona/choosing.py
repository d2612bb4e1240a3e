"""Which memories answer a question and what of each is quoted: the relevance gate over search's
hits, the memories beside the best, and the best memory's other sentence that holds what its quote
lacks. Pure functions over search's hits (dicts with their evidence); no model and no vault."""
from __future__ import annotations

from sideload.persona.phrasing import (EXCERPT_CHARS, answer_kind, answers, excerpt, holds_kind, sentence_spans,
                                       sentences, whole_sentences)
from sideload.recall.words import keyword_terms, stem

# how well another sentence of the best memory must hold what its quote lacks to be quoted too: two of
# the question's words, or one and the kind of word that answers (dev set, without the chat model)
ELSEWHERE_MIN = 2.0
MIN_RELEVANCE_DENSE = 0.40  # cosine of question and memory (all-MiniLM-L6-v2)
MIN_RELEVANCE_TERMS = 0.5  # share of the question's content words found in the memory, weighted by rarity


def relevant(hit: dict) -> bool:
    ev = hit.get("evidence") or {}
    return (ev.get("dense") or 0.0) >= MIN_RELEVANCE_DENSE or ev.get("weighted_coverage", 0.0) >= MIN_RELEVANCE_TERMS


def kept(hits: list[dict], dated: bool) -> list[dict]:
    """The hits that pass the relevance gate, and a period's reckoning (marked "review"). Where the
    question names a time and that time holds relevant moments, search's first within it is kept too,
    and first: "at the stroke of the New Year going into 1665" is the 31st's kiss, a little under the
    gate."""
    out = [h for h in hits if relevant(h) or h.get("review")]
    if dated and out and hits[0] is not out[0]:
        out.insert(0, hits[0])
    return out


def beside_the_best(query: str, hits: list[dict], keep: int = 3) -> list[dict]:
    """Search's best memory first, then those of the next few whose sentences hold most of the
    question's words (and, for "how much?" or "who?", the kind of word that answers), in search's
    order. The fact is often in the fourth: "who gave me the gloves, and how many coins?" (dev set,
    without the chat model: 33 -> 36 of 55 facts held; the test set the same).
    """
    if len(hits) <= keep:
        return hits
    stems = {stem(t) for t in keyword_terms(query)}
    wanted = answer_kind(query)

    def holds(m: dict) -> float:
        return max((answers(sentence, stems, wanted) for sentence in sentences(body(m))), default=0.0)
    review = next((i for i in range(1, len(hits)) if hits[i].get("review")), None)
    beside = sorted((i for i in range(1, len(hits)) if i != review), key=lambda i: (-holds(hits[i]), i))
    beside = ([review] if review is not None else []) + beside  # a period's reckoning is quoted beside the best
    return [hits[0]] + [hits[i] for i in sorted(beside[:keep - 1])]


def elsewhere_in(first: tuple[dict, str], terms: list[str], wanted) -> tuple[dict, str] | None:
    """The best memory's other sentence that holds what its quote lacks, quoted too. A long entry's
    nearest passage holds the question's subject ("Turner hanged"), and the fact may stand two
    passages on ("I got for a shilling to stand upon the wheel of a cart"): the words of the question
    that the quote lacks, and the kind of word that answers where the quote has none, find it."""
    m, quote = first
    p, text = m.get("passage") or {}, m.get("text") or ""
    if not p or not text:
        return None
    lacking = {stem(t) for t in terms} - {stem(w) for w in keyword_terms(quote)}
    kind = None if holds_kind(quote, wanted) else wanted
    spans = [(answers(text[a:b], lacking, kind), a, b) for a, b in sentence_spans(text)
             if (b <= p["start"] or a >= p["end"]) and text[a:b] not in quote]
    score, a, b = max(spans, key=lambda x: (x[0], -x[1]), default=(0.0, 0, 0))
    if score < ELSEWHERE_MIN:
        return None
    more = {**m, "passage": {**p, "start": a, "end": b, "text": text[a:b]}}
    return more, excerpt(body(more), terms, limit=EXCERPT_CHARS, answer=wanted)


def body(m: dict) -> str:
    """What is quoted of a moment: its best passage (in whole sentences) when it is long, else its
    words or its caption."""
    p, text = m.get("passage") or {}, m.get("text") or ""
    if p.get("text") and text[p["start"]:p["end"]] == p["text"]:
        return whole_sentences(text, p["start"], p["end"], around=1)
    return p.get("text") or text or m.get("caption") or ""


def distinct(quotes: list[tuple[dict, str]]) -> list[tuple[dict, str]]:
    """The quotes, less any of a moment already quoted that says the same: two parts of one long entry
    may come to the same sentence ("She tells me, that about a month ago ..." twice for 1 January 1663)."""
    out: list[tuple[dict, str]] = []
    for m, q in quotes:
        core = q.strip(" …")[:80]
        if not any(m.get("moment_id") == n.get("moment_id") and (core in p or p.strip(" …")[:80] in q)
                   for n, p in out):
            out.append((m, q))
    return out


def with_spans(moments: list[dict], spans: dict[str, tuple[int, int]]) -> list[dict]:
    """The moments, each quoted from its span where one is given (the sentence that praises a play)."""
    out = []
    for m in moments:
        a, b = spans.get(m["moment_id"], (None, None))
        text = m.get("text") or ""
        out.append({**m, "passage": {"start": a, "end": b, "text": text[a:b]}} if a is not None and text else m)
    return out
