"""What the owner did for a living, asked as a family asks it: "what was your job?", "what did you do
for a living?". Search quoted carpenters laying a floor ("my workmen"). The answer is the posts the
owner names as theirs: "my place of Clerk of the Acts", "my job as Head of Sales", "I work at the
Royal Infirmary", counted and cited where each is first written. Where none is named so, the question
is left to search: a post is not guessed."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sideload.store import retrieval

_ASKED = re.compile(r"^\s*(?:and\s+)?(?:[A-Za-z]+,\s*)?(?:(?:what|which)\s+(?:was|were|is|are)\s+(?:your|my)\s+"
                    r"(?:jobs?|work|occupations?|professions?|trades?|careers?|posts?|positions?|roles?|line\s+of\s+work)"
                    r"|what\s+did\s+(?:you|I)\s+do\s+for\s+(?:a\s+)?(?:living|work|a\s+job)"
                    r"|where\s+did\s+(?:you|I)\s+work|what\s+(?:was|is)\s+(?:your|my)\s+job\s+title)\s*[?.!]?\s*$", re.I)
_NAME = r"(?:[A-Z][\w’'-]*)(?:\s+(?:(?:of|the|and|for)\s+)*[A-Z][\w’'-]*){0,5}"  # "Clerk of the Acts"
# the phrase the index is asked for (a moment holding it), and how the post follows it
_SAID = [(f"my {adjective}{noun} {link}", "as",
          re.compile(rf"\b(?i:my)\s+(?i:{adjective}){noun}\s+{link}\s+(?:an?\s+|the\s+)?({_NAME})"))
         for noun in ("place", "post", "job", "work", "position", "role", "employment", "office", "trade")
         for link in ("of", "as")
         for adjective in ("", "new ", "old ", "first ", "former ", "present ", "current ")]
_SAID += [(f"I {verb} as", "as", re.compile(rf"\bI\s+{verb}\s+as\s+(?:an?\s+|the\s+)?({_NAME})"))
          for verb in ("work", "worked", "serve", "served")]
_SAID += [(f"I {verb} {link}", link, re.compile(rf"\bI\s+{verb}\s+{link}\s+(?:an?\s+)?((?:the\s+)?{_NAME})"))
          for verb in ("work", "worked") for link in ("at", "for")]
_NOT_A_POST = {"I", "God", "Sir", "Mr", "Mrs", "My", "The", "Lord"}
READ = 400  # moments read at most for one phrase


@dataclass
class Work:
    posts: dict[tuple[str, str], int]  # ("as", "Clerk of the Acts"), ("at", "the Royal Infirmary"): moments
    moment_ids: list[str]  # where each of the first three is first named
    words: str = ""  # what the quotes are chosen by
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)

    def sentence(self) -> str:
        shown, link = [], ""
        for (was, post), n in list(self.posts.items())[:5]:  # "as Clerk of the Acts (3 moments), Secretary"
            shown.append(("" if was == link else f"{was} ") + post + (f" ({n} moments)" if n > 1 else ""))
            link = was
        listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
        return f"I wrote of my work {listed}."


def work_asked(db, question: str) -> Work | None:
    """The posts the owner named as theirs, or None where the question asks no such thing or none is named."""
    if not _ASKED.match(question):
        return None
    posts: dict[tuple[str, str], int] = {}
    first: dict[tuple[str, str], tuple[str, str, tuple[int, int]]] = {}
    for phrase, link, pattern in _SAID:
        for row in retrieval.texts_holding(db, phrase, READ, speaker="me"):
            for m in pattern.finditer(row["text"] or ""):
                post = re.sub(r"(?:\s+(?:of|the|and|for))+$", "", m.group(1))
                if re.sub(r"^the\s+", "", post).split()[0] in _NOT_A_POST:
                    continue
                post = (link, post)
                posts[post] = posts.get(post, 0) + 1
                at = (row["started_at"] or "", row["moment_id"], (m.start(), m.end()))
                first[post] = min(first.get(post, at), at)
    if not posts:
        return None
    posts = dict(sorted(posts.items(), key=lambda kv: (-kv[1], first[kv[0]][0])))
    chosen = list(posts)[:3]
    ids = list(dict.fromkeys(first[p][1] for p in chosen))
    return Work(posts, ids, " ".join(p for _, p in chosen), {first[p][1]: first[p][2] for p in chosen})
