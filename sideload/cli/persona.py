"""Commands of the persona: ask, predict, profile, persona (eval, history)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sideload import timefmt
from sideload.cli.common import context, emit, open_vault, run_job
from sideload.errors import EXIT_OK, SideloadError


def cmd_ask(args: argparse.Namespace) -> int:
    from sideload.persona.sessions import new_session_id, save_exchange, session_history

    session = args.session or (new_session_id() if args.new_session else None)
    with open_vault(args) as vault:
        history = session_history(vault.db, session) if session else []
        # The app streams tokens (and retracts a lead that the evidence does not back); a terminal
        # gets the checked answer whole. Ctrl-C stops the model at its next token.
        answer = run_job(args, lambda ctx: context(args).persona(vault).ask(args.question, history=history,
                                                                            ctx=ctx))
    if answer.problem:
        sys.stderr.write(f"sideload: {answer.problem}\n")
    if session:
        answer.session_id = session
        try:
            with open_vault(args, write=True) as vault:
                save_exchange(vault, session, args.question, answer)
        except SideloadError as exc:
            sys.stderr.write(f"sideload: the answer was not saved to session {session}: {exc.message}\n")
    if args.json:
        emit(args, answer.as_json(), lambda: None)
    else:
        print(answer.text)
        for i, m in enumerate(answer.citations, 1):
            print(f"  [{i}] {timefmt.when(m['started_at'], guessed=timefmt.is_guess(m.get('time_source')))}  "
                  f"{Path(m['source']).name} at {timefmt.offset(m['start_s'])}", file=sys.stderr)
        if session:
            print(f"  (session {session}: continue with --session {session})", file=sys.stderr)
    return EXIT_OK


def cmd_predict(args: argparse.Namespace) -> int:
    from sideload import documents

    with open_vault(args) as vault:  # the same document `sideload serve` returns
        doc = documents.predict(vault, at=args.at, context=args.context, clock=context(args).clock)

    def human() -> None:
        if not doc["predictions"]:
            print("nothing to go on yet: no moment in the vault names an activity")
        print(f"at {doc['at']}" + (f", after {doc['previous']}" if doc.get("previous") else ""))
        for p in doc["predictions"]:
            print(f"  {p['probability'] * 100:5.1f}%  {p.get('description') or p['activity']} "
                  f"({len(p['evidence'])} example(s))")

    emit(args, doc, human)
    return EXIT_OK


def cmd_profile(args: argparse.Namespace) -> int:
    from sideload.persona import profile

    action = args.action or "list"
    want = {"list": 0, "refresh": 0, "set": 3, "remove": 2}.get(action)
    if want is None:
        raise SideloadError(f"profile takes list, refresh, set KIND KEY VALUE or remove KIND KEY (got {action!r})",
                            kind="usage")
    if len(args.args) != want:
        raise SideloadError(f"profile {action} takes {want} argument(s): "
                            + {"set": "KIND KEY VALUE", "remove": "KIND KEY"}.get(action, "none"), kind="usage")
    from sideload.persona import owner_name

    if action == "list":
        with open_vault(args) as vault:
            facts = profile.facts(vault.db)
            name = vault.settings["owner_name"]
            guess = None if name else owner_name.guess(vault.db)
    else:
        with open_vault(args, write=True) as vault:
            if action == "refresh":
                profile.distil(vault)
            elif action == "set":
                profile.correct(vault, *args.args)
            else:
                profile.remove(vault, *args.args)
            facts = profile.facts(vault.db)
            name = vault.settings["owner_name"]
            guess = None if name else owner_name.guess(vault.db)
    if args.kind:
        facts = [f for f in facts if f["kind"] == args.kind]

    def human() -> None:
        if guess:
            print(f"whose life: not set; best guess {guess.name} ({guess.why}): "
                  f"confirm with `sideload settings owner_name \"{guess.name}\"`")
        elif not name:
            print("whose life: not set (`sideload settings owner_name NAME`)")
        if not facts:
            print("no facts yet (sideload profile refresh distils them from the vault)")
        for f in facts:
            mark = " (yours)" if f["source"] == "owner" else ""
            print(f"{f['kind']:<11} {f['key'][:28]:<28} {f['value'][:80]}{mark}")

    owner = {"name": name or None, "guess": guess.as_dict() if guess else None}
    emit(args, {"facts": facts, "owner": owner}, human)
    return EXIT_OK


def cmd_persona(args: argparse.Namespace) -> int:
    from sideload.persona import serving

    if args.action == "eval":
        if not args.heldout:
            raise SideloadError("persona eval needs --heldout FILE", kind="usage")
        with open_vault(args) as vault:
            doc = run_job(args, lambda ctx: context(args).evaluate(vault, Path(args.heldout), ctx, args.max_tokens))

        def human() -> None:
            print(f"held-out words: {doc['tokens']:,} tokens of {Path(doc['file']).name}")
            who = f"adapter v{doc['persona']['adapter_id']}" if doc['persona'].get('adapter_id') else "no adapter"
            print(f"{'':12}{'perplexity':>11}{'likeness':>10}{'coherence':>11}   (four-way choices, chance 25 %)")
            for name in ("base", "persona"):
                m = doc[name]
                print(f"  {name:<10}{m['perplexity']:11.2f}{_pct(m.get('choice_accuracy')):>10}"
                      f"{_pct(m.get('coherence_accuracy')):>11}" + (f"   ({who})" if name == "persona" else ""))
            print(f"  perplexity {doc['reduction'] * 100:.1f} % lower than the base model; likeness on "
                  f"{doc.get('items', 0)} items against {doc.get('likeness_distractors') or 'nothing'}"
                  + (f" ({doc['likeness_note']})" if doc.get("likeness_note") else ""))

        emit(args, doc, human)
        return EXIT_OK
    if args.action == "choose":
        if not args.items:
            raise SideloadError("persona choose needs --items FILE.jsonl", kind="usage")
        with open_vault(args) as vault:
            doc = run_job(args, lambda ctx: context(args).choose(vault, Path(args.items), ctx))

        def human_c() -> None:
            print(f"{doc['items']} items of {doc['choices']} choices ({Path(doc['file']).name})")
            for name in ("base", "persona"):
                print(f"  {name:<10} chose the real one {_pct(doc[name]['choice_accuracy'])}")

        emit(args, doc, human_c)
        return EXIT_OK
    with open_vault(args) as vault:
        rows = serving.history(vault.db)

    def human_h() -> None:
        if not rows:
            print("no adapter trained yet: `sideload consolidate` trains one")
        for r in rows:
            print(f"v{r['adapter_id']:<4} {r['created_at']}  {r['status']:<9} base {r['ppl_base'] or 0:7.2f}  "
                  f"new {r['ppl_new'] or 0:7.2f}  {r['train_tokens']:>8,} tokens  {r['note']}")

    emit(args, {"adapters": rows}, human_h)
    return EXIT_OK


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f} %"


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("ask", parents=[common], help="ask the persona; it answers as the owner, from their moments")
    p.add_argument("question", metavar="QUESTION")
    p.add_argument("--session", metavar="ID", help="continue a chat session (kept in the vault)")
    p.add_argument("--new-session", action="store_true", help="start a session and keep this exchange")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("predict", parents=[common], help="what the person would most likely do next")
    p.add_argument("--at", metavar="ISO", help="the moment to predict from (default: after the newest moment)")
    p.add_argument("--context", metavar="TEXT", help="what just happened, in words")
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("profile", parents=[common],
                       help="the distilled profile: list | refresh | set KIND KEY VALUE | remove KIND KEY")
    p.add_argument("action", nargs="?", metavar="ACTION")
    p.add_argument("args", nargs="*", metavar="ARG")
    p.add_argument("--kind", choices=("person", "relation", "place", "routine", "preference", "speech"))
    p.set_defaults(func=cmd_profile)

    p = sub.add_parser("persona", parents=[common],
                       help="the persona's adapters: eval --heldout FILE | choose --items FILE.jsonl | history")
    p.add_argument("action", nargs="?", choices=("eval", "choose", "history"))
    p.add_argument("--items", metavar="FILE", help="four-way items, one JSON object a line (choose)")
    p.add_argument("--heldout", metavar="FILE", help="a file of the kinds `import` takes, not imported")
    p.add_argument("--max-tokens", type=int, default=20_000, metavar="N",
                   help="score at most N tokens, spread evenly over the file (default 20000)")
    p.set_defaults(func=cmd_persona)
