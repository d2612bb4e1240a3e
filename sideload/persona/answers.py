"""The persona: answers in the owner's first person, grounded in their own moments, with citations.

The default chat model (SmolLM2-135M) is small: given the right passage it still got facts wrong
two times in three. So an answer carries its evidence: the model writes a short first-person
lead, the lead is kept only if it is grounded in the evidence, and the remembered passage itself
follows, quoted with its date. A bigger GGUF in settings makes the voice better; the facts come
from the quote either way. When nothing relevant is remembered, the persona says so instead of
inventing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from sideload.errors import SideloadError
from sideload.jobs import JobContext
from sideload.recall.search import Searcher, build_request, keyword_terms

DONT_REMEMBER = "I don't remember anything about that."
MIN_RELEVANCE_DENSE = 0.40  # cosine of question and memory (all-MiniLM-L6-v2)
MIN_RELEVANCE_TERMS = 0.5  # share of the question's content words found in the memory
EXCERPT_CHARS = 320
REFUSAL = re.compile(r"\b(sorry|as an ai|language model|i cannot|i can't help|not familiar|homework|assist you)\b", re.I)


@dataclass
class Answer:
    text: str
    citations: list[dict]
    remembered: bool
    lead: str = ""
    problem: str = ""  # what went wrong on the way (the chat model could not load), said beside the answer
    session_id: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"answer": self.text, "citations": self.citations, "remembered": self.remembered}
        if self.session_id:
            out["session"] = self.session_id
        if self.problem:
            out["problem"] = self.problem
        return out


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?;])\s+(?=[A-Z“\"'(])", text.replace("\n", " "))
    return [p.strip() for p in parts if p.strip()]


def excerpt(text: str, terms: list[str], limit: int = EXCERPT_CHARS) -> str:
    """The sentence (and its neighbours, as room allows) that holds most of the question's words."""
    sents = sentences(text)
    if not sents:
        return ""
    if len(text) <= limit:
        return " ".join(text.split())
    stems = {t[:5] for t in terms}

    def score(s: str) -> int:
        words = {w[:5] for w in keyword_terms(s)}
        return len(stems & words)

    best = max(range(len(sents)), key=lambda i: (score(sents[i]), -i))
    lo = hi = best
    out = sents[best]
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
    if len(out) > limit:
        out = out[: limit - 1].rsplit(" ", 1)[0] + "…"
    return ("… " if lo > 0 else "") + out + (" …" if hi < len(sents) - 1 else "")


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


def first_person(lead: str) -> str:
    """Small models often answer 'You put your passport...'; the persona speaks as 'I'."""
    for pattern, repl in _SECOND_PERSON:
        lead = re.sub(pattern, repl, lead)
    return lead


def grounded(lead: str, evidence: str, question: str) -> bool:
    """A lead is kept only when it speaks from the evidence, not around it."""
    if not lead or REFUSAL.search(lead):
        return False
    words = set(keyword_terms(lead))
    if not words:
        return False
    known = {w[:5] for w in keyword_terms(evidence + " " + question)}
    return sum(1 for w in words if w[:5] in known) / len(words) >= 0.6


class Persona:
    def __init__(self, vault, searcher: Searcher, llm_provider, owner_name: str = ""):
        self.vault = vault
        self.searcher = searcher
        self.llm_provider = llm_provider  # called on first use: loading the model is not free
        self.owner = owner_name or "the owner of this sideload"

    # -- remembering ---------------------------------------------------------------------------
    def recall(self, question: str, limit: int = 3) -> list[dict]:
        """The moments that answer, most relevant first; [] when nothing relevant is remembered.

        The search returns each hit's evidence (similarity to the question, the share of its words
        weighted by rarity); a hit is kept when either is strong enough."""
        days = [d for d, _ in self.vault.days()]
        hits = self.searcher.search(build_request(days, question, limit=8))
        kept = []
        for h in hits:
            ev = h.get("evidence") or {}
            if (ev.get("dense") or 0.0) >= MIN_RELEVANCE_DENSE or ev.get("weighted_coverage", 0.0) >= MIN_RELEVANCE_TERMS:
                kept.append(h)
        return kept[:limit]

    # -- answering -----------------------------------------------------------------------------
    def ask(self, question: str, *, on_token: Callable[[str], None] | None = None,
            history: list[dict] | None = None, ctx: JobContext | None = None) -> Answer:
        """Answer from memory. `ctx` carries the cancel: a stop ends generation at the next token."""
        memories = self.recall(question)
        if not memories:
            if on_token:
                on_token(DONT_REMEMBER)
            return Answer(DONT_REMEMBER, [], False)
        terms = keyword_terms(question)
        quotes = [(m, excerpt(m["text"] or m["caption"] or "", terms)) for m in memories]
        first, first_quote = quotes[0]
        from sideload.persona.profile import core_facts

        core = core_facts(self.vault.db, limit=4)  # core facts in the prompt; memories by retrieval
        messages = [{"role": "system", "content":
                     f"You are {self.owner}. Answer questions about your own life in the first person "
                     "(I, me, my), in one short sentence, using only the memory you are given. Never invent."
                     + (f" {core}" if core else "")}]
        for turn in (history or [])[-2:]:
            messages.append({"role": turn["role"], "content": turn["content"][:300]})
        said = "I said" if first["speaker"] == "me" else ("I heard" if first["speaker"] == "other" else "I wrote")
        if first["kind"] == "text":  # writing: the owner's own entry, or a message someone sent
            said = "I wrote" if first["speaker"] in ("me", None) else "I read"
        if first["kind"] in ("scene", "photo"):
            said = "I saw"
        messages.append({"role": "user", "content":
                         f"Memory from {when_of(first)} ({said}): \"{first_quote}\"\n\nQuestion: {question}"})
        streamed: list[str] = []

        def relay(piece: str) -> None:
            streamed.append(piece)
            if on_token:
                on_token(piece)

        problem = ""
        try:
            llm = self.llm_provider()
            raw = llm.chat(messages, max_tokens=60, on_token=relay, stop=(lambda: ctx.cancelled) if ctx else None)
        except SideloadError as exc:  # the chat model failed: what is remembered still answers
            problem, raw = f"{exc} — answering from memory alone", ""
        if ctx is not None:
            ctx.check()  # stopped while the model was writing: the face says so
        lead = first_person(raw.strip())
        if problem:
            lead = "This is what I remember."
        elif not grounded(lead, first_quote, question):
            lead = "This is what I remember."
            if on_token and streamed:
                on_token("\n(that was not what I remember; this is:)")
        evidence = [f"On {when_of(first)} {said}: “{first_quote}”"]
        for m, q in quotes[1:]:
            evidence.append(f"Also, on {when_of(m)}: “{q}”")
        tail = "\n\n" + "\n".join(evidence)
        if on_token:
            on_token(tail)
        return Answer(lead + tail, memories, True, lead=lead, problem=problem)
