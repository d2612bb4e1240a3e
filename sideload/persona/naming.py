"""Names for discovered activities, in the person's own words.

An activity is named by the short phrase (one to four words) that is most characteristic of its
episodes against the rest of the life: frequent inside the group (document frequency over its
episodes), rare outside it (a TF-IDF-style contrast), longer phrases preferred when they hold as
well ("morning coffee" over "coffee"). A phrase may not start or end with a function word, so
"lunch at the cafe" is a name and "at the" is not. A person present in most of the episodes is
added ("with Sam"). The same terms, weighted, let a free-text context ("just left the office") be
matched to an activity without any model.
"""
from __future__ import annotations

import math
import re
from collections import Counter

_WORD = re.compile(r"[a-z][a-z']*")
# function words and fillers: a phrase may hold them inside, never at either end
EDGE_STOP = set("""a an the and or but of to in on at by for with from into onto up down off out over about as
i i'm i've i'd me my mine we we're our us you your he him his she her they them their it it's its this that these
those there here is am are was were be been being do did does done have has had will would can could should
just then so very really quite again still also too some any all no not one two got get gets went go goes going
gone come came today tonight yesterday tomorrow now later after before while when what which who well oh um uh
yeah okay ok like bit lot little more much first last back day time""".split())
MAX_WORDS = 4


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def phrases(text: str) -> set[str]:
    """Every phrase of one to four words, inside one clause, that could name something."""
    out: set[str] = set()
    for clause in re.split(r"[,.;:!?()\n]+", text):
        ws = words(clause)
        for n in range(1, MAX_WORDS + 1):
            for i in range(len(ws) - n + 1):
                g = ws[i:i + n]
                if g[0] in EDGE_STOP or g[-1] in EDGE_STOP or len(g[0]) < 3 and n == 1:
                    continue
                out.add(" ".join(g))
    return out


def characteristic(groups: dict[int, list[str]], *, top: int = 30) -> dict[int, list[tuple[str, float]]]:
    """Per group of texts (one text per episode): its phrases, most characteristic first, with scores."""
    sets = {g: [phrases(t) for t in texts] for g, texts in groups.items()}
    inside = {g: Counter(p for s in ss for p in s) for g, ss in sets.items()}
    total = Counter()
    for c in inside.values():
        total.update(c)
    n_all = sum(len(ss) for ss in sets.values())
    out: dict[int, list[tuple[str, float]]] = {}
    for g, counts in inside.items():
        n_in = max(len(sets[g]), 1)
        n_out = max(n_all - n_in, 1)
        scored = []
        for p, c in counts.items():
            df_in = c / n_in
            df_out = (total[p] - c) / n_out
            if df_in < 0.15 or df_in <= df_out:
                continue
            length = len(p.split())
            scored.append((p, df_in * (df_in - df_out) * (1 + 0.3 * (length - 1)) * math.log(1 + 1 / (df_out + 0.02))))
        scored.sort(key=lambda ps: (-ps[1], ps[0]))
        out[g] = scored[:top]
    return out


def name_from(scored: list[tuple[str, float]], central: str, people: list[str | None] = ()) -> str:
    """The best phrase (a longer one that contains it and holds almost as well wins), joined with the
    next best as they stand in the most typical episode ("coffee" and "balcony" in "Morning coffee on
    the balcony" -> "coffee on the balcony"), and the person present in most episodes."""
    if scored:
        best, s = scored[0]
        for p, ps in scored[1:8]:
            if best in p and ps >= 0.75 * s:
                best = p
                break
        for p, ps in scored[1:6]:
            if ps >= 0.5 * s and p not in best and best not in p:
                best = _span(central, best, p) or best
                break
    else:
        best = " ".join(words(central)[:4]) or "something"
    count = Counter(n for n in people if n)
    if count:
        who, c = count.most_common(1)[0]
        if c >= 0.5 * max(len(people), 1) and who.lower() not in best:
            best = f"{best} with {who}"
    return best


def _span(text: str, a: str, b: str, longest: int = 6) -> str | None:
    """The words of `text` from one phrase to the other, when they stand close in one clause."""
    toks = re.findall(r"[a-z][a-z']*|[^\sa-z]", text.lower().replace("\u2019", "'"))
    where = []
    for phrase in (a.split(), b.split()):
        at = next((i for i in range(len(toks) - len(phrase) + 1) if toks[i:i + len(phrase)] == phrase), None)
        if at is None:
            return None
        where += [at, at + len(phrase)]
    lo, hi = min(where), max(where)
    piece = toks[lo:hi]
    if hi - lo > longest or any(not t[0].isalpha() for t in piece):
        return None
    return " ".join(piece)


def term_weights(scored: list[tuple[str, float]], n: int = 25) -> dict[str, float]:
    """Single words of the characteristic phrases, weighted: for matching a context to an activity."""
    out: dict[str, float] = {}
    for p, s in scored:
        for w in p.split():
            if w not in EDGE_STOP:
                out[w] = max(out.get(w, 0.0), round(s, 4))
    return dict(sorted(out.items(), key=lambda kv: -kv[1])[:n])


def match(text: str, terms_by_activity: dict[int, dict[str, float]]) -> int | None:
    """The activity whose characteristic words a free text shares most, if any."""
    ws = set(words(text))
    best, score = None, 0.0
    for aid, terms in terms_by_activity.items():
        s = sum(v for w, v in terms.items() if w in ws)
        if s > score:
            best, score = aid, s
    return best


def short(text: str, limit: int = 80) -> str:
    """A typical phrase: the first sentence of a text, cut at a word."""
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    return first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + "…"


def period(hour: int) -> str:
    return ("night" if hour < 5 else "morning" if hour < 12 else "afternoon" if hour < 17
            else "evening" if hour < 22 else "night")
