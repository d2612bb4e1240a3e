"""The persona: answers in the owner's first person, grounded in their own moments, with citations.

The default chat model (SmolLM2-135M) is small: given the right passage it still got facts wrong
two times in three. So an answer carries its evidence: the model writes a short first-person
lead, the lead is kept only if it is grounded in the evidence, and the remembered passages follow,
quoted with their dates and with who said them. When nothing relevant is remembered, the persona
says so instead of inventing.

What is quoted depends on what is asked (`plan`):
- a fact ("where did I put my passport?"): the passages that answer, best first;
- a stretch of time ("tell me about my day", "how was March?"): a short account of several moments
  of it, in time order, each cited;
- a person ("what did Maria want from me?"): the moments that speak of them, in time order;
- a feeling or an opinion ("what do I think about tennis?"): the owner's own words about it, and
  plainly that they never said so when they did not;
- a follow-up ("and why?"): understood with the question before it in the session.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from sideload.errors import SideloadError
from sideload.jobs import JobContext
from sideload.persona.age import Age, age_asked
from sideload.persona.belongings import Belonging, belonging_asked
from sideload.persona.choosing import beside_the_best, body, distinct, elsewhere_in, kept, relevant, with_spans
from sideload.persona.favourites import Favourite, favourite_asked
from sideload.persona.identity import Identity, asked_about, identity, never_named
from sideload.persona.kin import Kin, kin_asked
from sideload.persona.known_replies import age_reply, namesake_reply
from sideload.persona.namesakes import Namesake, namesake
from sideload.persona.personal_days import with_personal_days
from sideload.persona.perspective import (in_known_forms, names_a_third_person, names_person, owner_perspective,
                                          with_person)
from sideload.persona.phrasing import (EXCERPT_CHARS, answer_kind, cited, closing, excerpt, first_person, grounded,
                                       when_of, who_said)
from sideload.persona.stretches import outside_the_record, period, spread, stretch
from sideload.persona.unwritten import never_wrote, unwritten_names
from sideload.persona.work import Work, work_asked
from sideload.recall import reviews, timephrases
from sideload.recall.search import SearchRequest, Searcher, build_request, keyword_terms

# the persona's own name asked ("who am I?", "who are you?", "what's my name?"): the owner's, not a day quoted
_WHO_AM_I = re.compile(r"^\W*(?:and\s+)?(?:who\s+(?:am\s+i|are\s+you)|what(?:'s|\s+is)\s+(?:my|your)\s+name)\W*$", re.I)
DONT_REMEMBER = "I don't remember anything about that."
# the first memory's quote, when it is a passage of a long moment; the others have EXCERPT_CHARS (320).
# On the dev set: 640 for all three held 33 of 55 facts at a median answer of 1,603 characters, 640 and
# 320 held 32 at 1,164
FIRST_QUOTE_CHARS = 640
# words that ask for an account of a stretch of time rather than for a fact in it
_OVERVIEW = {"tell", "day", "days", "everything", "happened", "happen", "how", "was", "week", "month", "year",
             "morning", "afternoon", "evening", "today", "yesterday", "life", "go", "went", "going", "summary",
             "summarise", "summarize", "describe", "up", "spend", "spent"}
_FEELING = re.compile(r"\b(think|thought|feel|feeling|felt|opinion|(?<!look )(?<!looks )(?<!looked )like|liked|love|"
                      r"loved|hate|hated|enjoy|enjoyed|prefer|favourite|favorite|mind|mood)\b", re.I)  # "look like": no
_FEELING_WORDS = re.compile(r"\b(happy|glad|sad|tired|worried|anxious|excited|busy|angry|upset|afraid|proud|"
                            r"lonely|calm|grateful|thinking|miss|hope|love|hate|enjoy|fun|great|awful|good|bad)\b",
                            re.I)
# how a day went, in a diarist's words too ("mighty merry", "much vexed", "with great content"); narrower
# than _FEELING_WORDS, whose "good", "great" and "busy" stand in nearly every day Pepys wrote
_HOW_IT_WENT = re.compile(r"\b(happy|glad|sad|tired|worried|anxious|excited|angry|upset|afraid|proud|lonely|"
                          r"grateful|merry|vexed|troubled|pleased|content|sorry|joy|fun|awful|wonderful|"
                          r"delighted|disappointed|laughed|cried|weep|wept)\b", re.I)
# "what made me happy?", "when was I sad?": a mood asked about across the life, from the owner's own words
_MOOD = re.compile(r"\b(?:made|make|makes|making)\s+(?:me|you)\s+(?:feel\s+)?(happy|glad|sad|angry|upset|laugh|smile|"
                   r"proud|worried|anxious|excited|cry|calm|lonely)\b|\b(?:was|were|am|are)\s+(?:I|you)\s+(?:ever\s+|most\s+)?"
                   r"(happy|glad|sad|angry|upset|proud|worried|anxious|excited|calm|lonely|happiest|saddest)\b", re.I)
_TOPIC = re.compile(r"\b(?:about|of|on|towards?)\s+(.+?)\s*\??$", re.I)
_NOT_FIRST_NAME = r"(?!(?-i:\s+[A-Z][a-z]))"  # "John" is not asked of in "John Milton"
_FOLLOW_UP = re.compile(r"^\s*(and|but|so|why|how come|what about|then)\b", re.I)


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


@dataclass
class Plan:
    kind: str  # fact | period | person | identity | kin | stranger | feeling | self ("who am I?")
    query: str  # what is searched (a follow-up carries the question before it)
    person: str | None = None
    topic: str = ""  # what a feeling or opinion is about ("tennis"), empty for "how do you feel?"
    mood: str = ""  # the feeling asked about across the life ("what made me happy?": "happy")
    identity: Identity | None = None  # who someone is to the owner, when asked and the owner said so
    kin: Kin | None = None  # who the owner's brother (wife, clerk) was, when asked by the relation
    namesake: Namesake | None = None  # a full name never written: whom of that surname the owner knew
    age: Age | None = None  # "how old was I in 1663?", from the age the owner wrote on a birthday
    # what the owner called theirs, counted, with where it is written (sentence(), moment_ids, words):
    # "did you have any children?", "what was your favourite play?", "what was your job?"
    tally: Belonging | Favourite | Work | None = None


class Persona:
    def __init__(self, vault, searcher: Searcher, llm_provider, owner_name: str = ""):
        self.vault = vault
        self.searcher = searcher
        self.llm_provider = llm_provider  # called on first use: loading the model is not free
        self.owner = owner_name.strip()
        self._names: tuple[float, list[str]] | None = None

    # -- what is asked -------------------------------------------------------------------------
    def plan(self, question: str, history: list[dict] | None = None) -> Plan:
        if _WHO_AM_I.match(question):
            return Plan("self", question)
        people = self._people()
        previous = [t["content"] for t in (history or []) if t.get("role") == "user"]
        if previous and names_a_third_person(question):  # "did you trust him?" after "who was Will Hewer?"
            prior = next(filter(None, (self._named(in_known_forms(owner_perspective(q), people), people)
                                       for q in previous[:-4:-1])), None)  # the newest named, of the last three
            if prior and not self._named(in_known_forms(owner_perspective(question), people), people):
                question = with_person(question, prior)
        follow_up = bool(previous) and (_FOLLOW_UP.match(question) or len(keyword_terms(question)) <= 1)
        # search compares it with the owner's own words; "and why?" means why of the question before
        # "on my birthday in 1664" is the day the owner wrote it on: "on 23 February 1664"
        own = with_personal_days(self.vault.db, owner_perspective(question))
        query = with_personal_days(self.vault.db, owner_perspective(f"{previous[-1]} {question}")) if follow_up else own
        # the person as the owner writes them ("Sir William Penn" is "Sir W. Penn"), for knowing who is
        # meant only: the query keeps its words, since the owner writes the full name too at times
        asked = in_known_forms(own, people)
        known = in_known_forms(query, people) if follow_up else asked
        named = self._named(known, people)  # "John Milton" is not my brother John
        # who someone is, asked now: "and who is Maria?" after "who was Deb Willet?" is about Maria
        kin = kin_asked(self.vault.db, asked)
        if kin is not None:  # "who was my brother?": the names the owner gives a brother
            return Plan("kin", query, kin.names[0] if kin.names else None, kin=kin)
        for kind, reader in (("belonging", belonging_asked), ("favourite", favourite_asked), ("work", work_asked)):
            tally = reader(self.vault.db, question)
            if tally is not None:
                return Plan(kind, query, tally=tally)
        who = identity(self.vault.db, asked)
        if who is not None:
            return Plan("identity", query, who.name, identity=who)
        stranger = never_named(self.vault.db, asked, people)
        if stranger is not None:
            return Plan("stranger", query, stranger)
        age = age_asked(self.vault.db, own, lambda: [d for d, _ in self.vault.days()])
        if age is not None:
            return Plan("age", query, age=age)
        # "did you ever meet Isaac Newton?" where the only Newton written of is Tom: not Tom's memories
        other = namesake(self.vault.db, asked, self.searcher.spellings.nearest)
        if other is not None:
            return Plan("namesake", query, other.asked, namesake=other)
        mood = _MOOD.search(question)
        if mood and not named:
            return Plan("feeling", query, mood=(mood.group(1) or mood.group(2)).lower())
        if _FEELING.search(question) and not named:
            # the topic in the owner's words: "did you love Mum?" is about my wife, not "Mum" (a beer)
            topic = _TOPIC.search(own)
            words = " ".join(t for t in keyword_terms(topic.group(1) if topic else own)
                             if not _FEELING.fullmatch(t) and t not in _OVERVIEW)
            return Plan("feeling", query, topic=(topic.group(1).strip() if topic and words else words))
        # "how was March 1663?", "what happened at the end of 1662?": the words left once the time
        # phrase is read ask for an account of that stretch of time
        if not [t for t in keyword_terms(timephrases.parse(query, [])[0]) if t not in _OVERVIEW]:
            return Plan("period", query)
        if named and len([t for t in keyword_terms(known) if t not in _OVERVIEW and t not in keyword_terms(named)]) <= 2:
            return Plan("person", query, named)
        return Plan("fact", query)

    @staticmethod
    def _named(text: str, people: list[str]) -> str | None:
        """The first known person the text names; a one-word name is not the first name of a fuller one."""
        return next((p for p in people if re.search(rf"\b{re.escape(p)}(?!\w){'' if ' ' in p else _NOT_FIRST_NAME}",
                                                    text, re.I)), None)

    def _people(self) -> list[str]:
        """Names the persona knows: the profile's people, longest first ("Sir W. Batten" before "Batten").
        Read again at most every half minute: the names change only with an import."""
        now = time.monotonic()
        if self._names is None or now - self._names[0] > 30:
            self._names = (now, self._read_people())
        return self._names[1]

    def _read_people(self) -> list[str]:
        from sideload.persona.profile import facts

        from sideload.store.people import known_names

        names = {f["key"] for f in facts(self.vault.db) if f["kind"] == "person"}
        names |= set(known_names(self.vault.db))  # named voices and chat partners, whom the text may never name
        return sorted((n for n in names if len(n) > 2), key=len, reverse=True)

    # -- remembering ---------------------------------------------------------------------------
    def recall(self, question: str, limit: int = 3, *, speaker: str | None = None,
               days: list[str] | None = None) -> list[dict]:
        """The moments that answer, most relevant first; [] when nothing relevant is remembered.

        The search returns each hit's evidence (similarity to the question, the share of its words
        weighted by rarity); a hit is kept when either is strong enough."""
        days = [d for d, _ in self.vault.days()] if days is None else days
        req = build_request(days, question, limit=8, speaker=speaker)
        hits = self.searcher.search(req)
        if reviews.asks_about_a_period(req.date_from, req.date_to):
            for h in hits:  # the writer's look back over the stretch asked about shares few of its words
                h["review"] = reviews.is_review((h.get("started_at") or "")[:10], h.get("text") or "")
        found = kept(hits, dated=bool(req.understood))
        if not found and req.understood:
            # "on Friday" may be a day spoken of, not the day it was said: try again without the dates.
            # A year named is meant: a memory of another time answers only where it speaks of that year
            # ("our wedding in 1999"), not any meal of 1665 for "what did I eat on 23 February 1665?"
            years = {y for p in req.understood.get("time_phrases", []) for y in re.findall(r"\b(?:1[5-9]|20)\d\d\b", p)}
            words_only = SearchRequest(text=question, limit=8, speaker=speaker)  # its time phrases not dates
            found = [h for h in kept(self.searcher.search(words_only), dated=False)
                     if not years or any(y in (h.get("text") or "") for y in years)]
        return found[:limit]

    def _about(self, person: str, query: str, limit: int = 4) -> list[dict]:
        """Moments about a person: their own words, or words that name them, most relevant first."""
        days = [d for d, _ in self.vault.days()]
        name = person.lower()
        req = build_request(days, query, limit=12)
        hits = self.searcher.search(req)
        if not hits and req.understood:
            hits = self.searcher.search(SearchRequest(text=query, limit=12))
        about = [h for h in hits if name in (h.get("speaker_name") or "").lower() or name in (h.get("text") or "").lower()]
        about = [h for h in about if h.get("evidence", {}).get("coverage", 0) > 0.34 or relevant(h)][:limit]
        if len(about) < limit:  # a named voice's own words need not share a word with the question
            from sideload.store.people import spoken_by
            from sideload.store.queries import moments_by_ids

            seen = {h["moment_id"] for h in about}
            theirs = moments_by_ids(self.vault.db, [i for i in spoken_by(self.vault.db, person) if i not in seen])
            about += spread(theirs, limit - len(about))
        return about

    # -- answering -----------------------------------------------------------------------------
    def ask(self, question: str, *, on_token: Callable[[str], None] | None = None,
            history: list[dict] | None = None, ctx: JobContext | None = None) -> Answer:
        """Answer from memory. `ctx` carries the cancel: a stop ends generation at the next token."""
        plan = self.plan(question, history)
        # no memory to quote: a name the vault never holds (no nearest stranger is quoted), the persona's
        # own, kin the owner never named, or a time before the first memory or after the last ("what did
        # I eat on New Year's Day 1661?" quoted venison pasties of September 1662)
        days = [d for d, _ in self.vault.days()]  # read once per question: every search below asks for them
        told = ("stranger", "self", "identity", "kin", "namesake", "age", "belonging", "favourite", "work")
        outside = None if plan.kind in told else outside_the_record(self.searcher, days, plan.query)
        owned = plan.kin or plan.tally
        if plan.kind in ("stranger", "self") or outside or (owned is not None and not owned.moment_ids):
            text = outside or (f"I don't remember anyone called {plan.person}." if plan.kind == "stranger"
                               else owned.sentence() if owned is not None
                               else f"I am {self.owner}." if self.owner
                               else "I don't know my own name: nobody has told me it yet.")
            if on_token:
                on_token(text)
            return Answer(text, [], False)
        if plan.namesake is not None or plan.age is not None:  # worked out from what the owner wrote
            text, said = (namesake_reply(self.vault.db, plan.namesake) if plan.namesake is not None
                          else age_reply(self.vault.db, plan.age))
            if on_token:
                on_token(text)
            return Answer(text, said, plan.age is not None)  # of a namesake, nothing of the one asked
        if plan.kind == "period":
            memories = period(self.searcher, days, plan.query)
        elif plan.kind == "feeling":
            memories = self._own_words(plan)  # their own words, nobody else's
            if not memories:
                return self._never_said(plan, on_token)
        elif plan.kind == "person":
            memories = self._about(plan.person, plan.query) or self.recall(plan.query)
        elif plan.kind == "identity":  # where the owner says who they are, then what else names them
            from sideload.store.queries import moments_by_ids

            said = moments_by_ids(self.vault.db, [plan.identity.moment_id])
            memories = said + [m for m in self._about(plan.person, plan.query, limit=2)
                               if m["moment_id"] != plan.identity.moment_id]
        elif owned is not None:  # where the owner first calls each so ("my brother Tom", "our dog")
            from sideload.store.queries import moments_by_ids

            memories = with_spans(moments_by_ids(self.vault.db, owned.moment_ids), getattr(owned, "spans", {}))
        else:
            memories = beside_the_best(plan.query, self.recall(plan.query, limit=5, days=days))
        # a name the record never holds ("Castle Rising"): the nearest memories are shown, not claimed
        unwritten = unwritten_names(self.vault.db, question, self.searcher.spellings.nearest) \
            if plan.kind in ("fact", "feeling", "person") else []
        if not memories:
            text = never_wrote(unwritten, nearest=False) if unwritten else DONT_REMEMBER
            if on_token:
                on_token(text)
            return Answer(text, [], False)
        if plan.kind in ("period", "person"):
            memories = sorted(memories, key=lambda m: (m.get("started_at") or "", m.get("start_s") or 0))
        # the words quoted by, as the vault writes them: "cockfight" is the diary's "cock-fighting"
        terms = self.searcher.as_written(keyword_terms(
            f"{plan.person} my {plan.identity.relation}" if plan.identity is not None
            else f"{' '.join(plan.kin.names)} my {plan.kin.relation}" if plan.kin is not None
            else plan.tally.words if plan.tally is not None else plan.query))
        # a passage is quoted in whole sentences, the first memory (the answer) with room to hold them,
        # the others ("Also, ...") as briefly as a short moment
        # a day of a stretch is quoted where it says how it went, not from its first "Up betimes"
        wanted = answer_kind(plan.query) if plan.kind == "fact" else _HOW_IT_WENT if plan.kind == "period" else None
        # a reckoning of the stretch asked about is quoted from its close, where a diarist sums up the month
        quotes = [(m, closing(body(m), EXCERPT_CHARS) if plan.kind == "period" and m.get("review") else
                   excerpt(body(m), terms, limit=FIRST_QUOTE_CHARS if i == 0 and m.get("passage") else EXCERPT_CHARS,
                           answer=wanted))
                  for i, m in enumerate(memories)]
        quotes = distinct(quotes)  # two parts of one long entry may come to the same sentence
        memories = [m for m, _ in quotes]
        if plan.kind == "fact" and (more := elsewhere_in(quotes[0], terms, wanted)) is not None:
            memories.insert(1, more[0])
            quotes.insert(1, more)
        lead, problem = (never_wrote(unwritten), "") if unwritten else \
            self._lead(question, plan, quotes, history, on_token, ctx)
        if unwritten and on_token:
            on_token(lead)
        tail = "\n\n" + "\n".join(cited(quotes, numbered=plan.kind in ("period", "person")))
        if on_token:
            on_token(tail)
        return Answer(lead + tail, memories, not unwritten, lead=lead, problem=problem)

    def _own_words(self, plan: Plan) -> list[dict]:
        """About a topic: what the owner said or wrote of it. With none ("how are you feeling?"): what
        they said that day in words of feeling."""
        if plan.topic:
            return self.recall(plan.topic, speaker="me")
        if plan.mood:  # across the life (or the time asked about): where they said so in their own words
            days = [d for d, _ in self.vault.days()]
            hits = self.searcher.search(build_request(days, plan.query, limit=25, speaker="me"))
            return [m for m in hits if _FEELING_WORDS.search(body(m))][:3]
        inside, req = stretch([d for d, _ in self.vault.days()], plan.query)
        return [m for m in self.searcher.browse(req, limit=200) if m.get("speaker") == "me"
                and _FEELING_WORDS.search(body(m))][:3] if inside else []

    def _never_said(self, plan: Plan, on_token) -> Answer:
        text = (f"I don't remember ever saying what I think about {plan.topic}." if plan.topic
                else f"I don't remember saying when I was {plan.mood}." if plan.mood
                else "I don't remember saying how I felt then.")
        if on_token:
            on_token(text)
        return Answer(text, [], False)

    def _lead(self, question: str, plan: Plan, quotes, history, on_token, ctx) -> tuple[str, str]:
        """A short first-person lead from the chat model, kept only when the evidence backs it."""
        from sideload.persona.profile import core_facts

        known = plan.identity or plan.kin or plan.tally
        if known is not None:  # said from what the owner wrote, not left to a small model
            if on_token:
                on_token(known.sentence())
            return known.sentence(), ""
        first, first_quote = quotes[0]
        core = core_facts(self.vault.db, limit=4)  # core facts in the prompt; memories by retrieval
        me = f"You are {self.owner}." if self.owner else "You are the person whose memories these are."
        messages = [{"role": "system", "content":
                     f"{me} Answer questions about your own life in the first person (I, me, my), in one "
                     "short sentence, using only the memories you are given. Never invent." + (f" {core}" if core else "")}]
        for turn in (history or [])[-2:]:
            messages.append({"role": turn["role"], "content": turn["content"][:300]})
        shown = quotes if plan.kind in ("period", "person") else quotes[:1]
        memory = "\n".join(f"Memory from {when_of(m)} ({who_said(m)}): \"{q}\"" for m, q in shown)
        messages.append({"role": "user", "content": f"{memory}\n\nQuestion: {question}"})
        streamed: list[str] = []

        def relay(piece: str) -> None:
            streamed.append(piece)
            if on_token:
                on_token(piece)

        problem = ""
        try:
            raw = self.llm_provider().chat(messages, max_tokens=60, on_token=relay,
                                           stop=(lambda: ctx.cancelled) if ctx else None)
        except SideloadError as exc:  # the chat model failed: what is remembered still answers
            problem, raw = f"{exc} — answering from memory alone", ""
        if ctx is not None:
            ctx.check()  # stopped while the model was writing: the face says so
        lead = first_person(raw.strip())
        evidence = " ".join(f"{when_of(m)}: {q}" for m, q in shown)  # the dates too: a year must be the memory's
        # asked about someone, a lead about someone else is no answer ("who was Will Hewer?": "Tom
        # Willson, Sir W. Batten's clerk")
        about = plan.person or (asked_about(owner_perspective(question)) or (None,))[0]
        elsewhere = plan.kind in ("person", "fact") and bool(about) and not names_person(lead, about)
        if problem or elsewhere or not grounded(lead, evidence, question):
            if on_token and streamed and not problem:
                on_token("\n(that was not what I remember; this is:)")
            lead = {"period": "This is what I remember of it.", "person": "This is what I remember.",
                    "feeling": "In my own words:"}.get(plan.kind, "This is what I remember.")
        return lead, problem
