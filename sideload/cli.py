"""The command line: the scripting face of the core (../shared/docs/CLI.md is its contract).

Every command works on one vault (--vault, else $SIDELOAD_VAULT, else the per-user default).
Exit codes: 0 done, 1 done with some inputs failed, 2 could not run, 130 cancelled. With --json,
exactly one JSON document goes to stdout; progress and messages go to stderr.
"""
from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import traceback
from pathlib import Path
from typing import Any, Callable

from . import __version__, logs, paths
from .errors import EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, EXIT_PARTIAL, Cancelled, SideloadError, from_environment
from .jobs import CancelToken, JobContext
from .progress import TerminalProgress
from .vault import Vault

log = logging.getLogger("sideload.cli")


def _emit(args: argparse.Namespace, doc: Any, human: Callable[[], None]) -> None:
    if args.json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        human()


def _vault_dir(args: argparse.Namespace) -> Path:
    return paths.resolve_vault_dir(args.vault)


def _open(args: argparse.Namespace, write: bool = False) -> Vault:
    vault = Vault.open(_vault_dir(args), write=write)
    logs.setup(vault.paths.log_file, args.verbose) if write else None
    return vault


class _Interrupts:
    """First Ctrl-C asks the job to stop at its next safe point; a second one stops at once."""

    def __init__(self, token: CancelToken):
        self.token = token
        self._old = None

    def __enter__(self) -> "_Interrupts":
        def handler(signum, frame):
            if self.token.cancelled:
                raise KeyboardInterrupt
            self.token.cancel()
            sys.stderr.write("\nstopping after the current step (Ctrl-C again to stop now)...\n")

        try:
            self._old = signal.signal(signal.SIGINT, handler)
        except ValueError:  # not the main thread
            self._old = None
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)


def run_job(args: argparse.Namespace, fn: Callable[[JobContext], Any]) -> Any:
    token = CancelToken()
    bar = TerminalProgress(quiet=getattr(args, "quiet", False))
    ctx = JobContext(bar, token)
    try:
        with _Interrupts(token):
            return fn(ctx)
    finally:
        bar.close()


# -- commands -----------------------------------------------------------------------------------

def cmd_init(args: argparse.Namespace) -> int:
    with Vault.init(_vault_dir(args)) as vault:
        root = str(vault.paths.root)
    _emit(args, {"vault": root}, lambda: print(f"vault ready at {root}"))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from models.hub import ModelHub

    from .ingest import ImportSession

    with _open(args, write=True) as vault:
        hub = ModelHub(vault.settings)
        result = run_job(args, lambda ctx: ImportSession(vault, hub, ctx).run([Path(p) for p in args.paths]))

    def human() -> None:
        print(f"imported {result.imported} file(s), skipped {result.skipped} already in the vault, "
              f"{result.moments} new moment(s)")
        for f in result.failed:
            print(f"  failed: {f['path']}: {f['reason']}")

    _emit(args, result.as_json(), human)
    return EXIT_PARTIAL if result.failed else EXIT_OK


def cmd_moments(args: argparse.Namespace) -> int:
    if args.day:
        _check_date(args.day, "--day")
    with _open(args) as vault:
        moments = vault.moments(day=args.day, source=args.source)

    def human() -> None:
        if not moments:
            print("no moments")
        for m in moments:
            who = f" [{m['speaker']}]" if m["speaker"] else ""
            body = m["text"] or m["caption"] or ""
            print(f"{m['started_at'] or '?':<25} {m['kind']:<6}{who} {body[:100]}")

    _emit(args, {"moments": moments}, human)
    return EXIT_OK


def open_searcher(vault: Vault, hub=None):
    """A Searcher over the vault with the vault's own embedding model and index (read-only use)."""
    from models.hub import ModelHub

    from .index import VectorIndex
    from .search import Searcher
    from .vectors import VectorStore

    hub = hub or ModelHub(vault.settings)
    index = VectorIndex(vault.paths.index_dir) if vault.paths.index_dir.exists() else None
    stored = vault.db.execute("SELECT model FROM embeddings LIMIT 1").fetchone()
    if stored and stored[0] != hub.embedder.name:
        # the setting changed since these vectors were made: comparing them would be meaningless
        sys.stderr.write(f"sideload: the vault's vectors come from {stored[0]}, not {hub.embedder.name}; "
                         "searching by words only until they are made again\n")
        return Searcher(vault.db, None, None, None)
    return Searcher(vault.db, lambda texts: hub.embedder.encode(texts), index, VectorStore(vault.paths.vectors_file))


def cmd_search(args: argparse.Namespace) -> int:
    from .search import build_request

    for flag in ("from_", "to"):
        if getattr(args, flag):
            _check_date(getattr(args, flag), "--" + flag.rstrip("_"))
    if args.limit < 1:
        raise SideloadError("--limit must be at least 1", kind="usage")
    from datetime import date

    with _open(args) as vault:
        req = build_request([d for d, _ in vault.days()], args.query, limit=args.limit,
                            date_from=date.fromisoformat(args.from_) if args.from_ else None,
                            date_to=date.fromisoformat(args.to) if args.to else None,
                            speaker=args.speaker, kind=args.kind,
                            source=str(Path(args.source).expanduser().resolve()) if args.source else None,
                            mode=args.mode)
        results = open_searcher(vault).search(req) if vault.counts()["moments"] else []
    doc: dict[str, Any] = {"results": results}
    if req.understood:
        doc["understood"] = req.understood

    def human() -> None:
        if req.understood:
            print(f"(time: {', '.join(req.understood['time_phrases'])})")
        if not results:
            print("nothing found")
        for m in results:
            where = f"{Path(m['source']).name} @ {m['start_s']:.1f}-{m['end_s']:.1f}s"
            body = (m["text"] or m["caption"] or "").replace("\n", " ")
            print(f"{m['score']:.2f}  {m['started_at'] or '?':<25} [{m['speaker'] or m['kind']}] {body[:90]}\n"
                  f"      {where}")

    _emit(args, doc, human)
    return EXIT_OK


def open_persona(vault: Vault):
    """The persona over the vault: its searcher, and the chat model with the served adapter beside it."""
    from models.hub import ModelHub

    from .adapters import base_model_path, served_gguf
    from .persona import Persona

    hub = ModelHub(vault.settings)
    try:
        hub.lora_path = served_gguf(vault, base_model_path(vault.settings))
    except SideloadError:  # a missing chat model is reported when the persona first speaks
        hub.lora_path = None
    searcher = open_searcher(vault, hub)
    return Persona(vault, searcher, lambda: hub.llm,
                   vault.settings["owner_name"])


def cmd_ask(args: argparse.Namespace) -> int:
    from .persona import new_session_id, save_exchange, session_history

    session = args.session or (new_session_id() if args.new_session else None)
    with _open(args) as vault:
        history = session_history(vault.db, session) if session else []
        # The app streams tokens (and retracts a lead that the evidence does not back); a terminal
        # gets the checked answer whole.
        answer = open_persona(vault).ask(args.question, history=history)
    if session:
        answer.session_id = session
        try:
            with Vault.open(_vault_dir(args), write=True) as vault:
                save_exchange(vault, session, args.question, answer)
        except SideloadError as exc:
            sys.stderr.write(f"sideload: the answer was not saved to session {session}: {exc.message}\n")
    if args.json:
        _emit(args, answer.as_json(), lambda: None)
    else:
        print(answer.text)
        for i, m in enumerate(answer.citations, 1):
            print(f"  [{i}] {m['started_at']}  {Path(m['source']).name} @ {m['start_s']:.1f}s", file=sys.stderr)
        if session:
            print(f"  (session {session}: continue with --session {session})", file=sys.stderr)
    return EXIT_OK


def cmd_predict(args: argparse.Namespace) -> int:
    from datetime import datetime

    from .moments import MOMENT_COLUMNS, row_to_json
    from .predict import predict_json

    try:
        at = datetime.fromisoformat(args.at).replace(tzinfo=None) if args.at else None
    except ValueError:
        raise SideloadError(f"--at expects an ISO date and time such as 2026-03-02T18:30 (got {args.at!r})",
                            kind="usage") from None
    with _open(args) as vault:
        if at is None:  # "now" in the vault's own time: just after its newest moment
            last = vault.db.execute("SELECT max(started_at) FROM moments WHERE length(started_at) > 10").fetchone()[0]
            at = datetime.fromisoformat(last).replace(tzinfo=None) if last else datetime.now()

        def moments_by_id(ids: list[str]) -> list[dict]:
            if not ids:
                return []
            marks = ",".join("?" * len(ids))
            return [row_to_json(r) for r in vault.db.execute(
                f"SELECT {MOMENT_COLUMNS} FROM moments m JOIN files f USING (file_id) WHERE m.moment_id IN ({marks})", ids)]

        doc = predict_json(vault.db, at, args.context, moments_by_id)
    doc["at"] = at.isoformat(timespec="minutes")

    def human() -> None:
        if not doc["predictions"]:
            print("nothing to go on yet: no moment in the vault names an activity")
        print(f"at {doc['at']}" + (f", after {doc['previous']}" if doc.get("previous") else ""))
        for p in doc["predictions"]:
            print(f"  {p['probability'] * 100:5.1f}%  {p['activity']:<10} ({len(p['evidence'])} example(s))")

    _emit(args, doc, human)
    return EXIT_OK


def cmd_profile(args: argparse.Namespace) -> int:
    from . import profile

    action = args.action or "list"
    want = {"list": 0, "refresh": 0, "set": 3, "remove": 2}.get(action)
    if want is None:
        raise SideloadError(f"profile takes list, refresh, set KIND KEY VALUE or remove KIND KEY (got {action!r})",
                            kind="usage")
    if len(args.args) != want:
        raise SideloadError(f"profile {action} takes {want} argument(s): "
                            + {"set": "KIND KEY VALUE", "remove": "KIND KEY"}.get(action, "none"), kind="usage")
    if action == "list":
        with _open(args) as vault:
            facts = profile.facts(vault.db)
    else:
        with _open(args, write=True) as vault:
            if action == "refresh":
                profile.distil(vault)
            elif action == "set":
                profile.correct(vault, *args.args)
            else:
                profile.remove(vault, *args.args)
            facts = profile.facts(vault.db)
    if args.kind:
        facts = [f for f in facts if f["kind"] == args.kind]

    def human() -> None:
        if not facts:
            print("no facts yet (sideload profile refresh distils them from the vault)")
        for f in facts:
            mark = " (yours)" if f["source"] == "owner" else ""
            print(f"{f['kind']:<11} {f['key'][:28]:<28} {f['value'][:80]}{mark}")

    _emit(args, {"facts": facts}, human)
    return EXIT_OK


def cmd_forget(args: argparse.Namespace) -> int:
    from .forget import forget

    if bool(args.moment_ids) == bool(args.source):
        raise SideloadError("forget takes moment ids, or --source PATH (one of the two)", kind="usage")
    with _open(args, write=True) as vault:
        n = forget(vault, moment_ids=args.moment_ids or None, source=args.source)
    _emit(args, {"forgotten": n}, lambda: print(f"forgot {n} moment(s), everywhere"))
    return EXIT_OK


def cmd_consolidate(args: argparse.Namespace) -> int:
    from models.hub import ModelHub

    from . import consolidate

    if args.status:
        with _open(args) as vault:
            doc = {"running": consolidate.running(vault.paths),
                   "next_run": consolidate.next_run(vault.paths, vault.settings).isoformat(timespec="minutes"),
                   "last_report": consolidate.last_report(vault.db)}
        _emit(args, doc, lambda: print(json.dumps(doc, indent=2)))
        return EXIT_OK
    if args.schedule:
        with _open(args) as vault:
            sched = consolidate.make_scheduler(vault.paths, vault.settings)
            when = consolidate.next_run(vault.paths, vault.settings)
        sys.stderr.write(f"sideload: consolidating nightly at {when:%H:%M} (next {when:%Y-%m-%d %H:%M}); Ctrl-C stops\n")
        try:
            sched.start()
        except (KeyboardInterrupt, SystemExit):
            pass
        return EXIT_OK
    consolidate.lower_priority()
    with _open(args, write=True) as vault:
        if args.token_budget:
            vault.settings.set("train_token_budget", args.token_budget)  # this run only, not saved
        hub = ModelHub(vault.settings)
        report = run_job(args, lambda ctx: consolidate.run(vault, hub, ctx, only=set(args.only or []) or None))

    def human() -> None:
        for st in report["steps"]:
            extra = f"  ({st['error']})" if st.get("error") else ""
            print(f"{st['name']:<28} {st['status']:<8} {st['seconds']:>8.1f} s{extra}")
        for line in report["learnt"]:
            print(f"- {line}")

    _emit(args, report, human)
    return EXIT_PARTIAL if report["status"] == "failed" else EXIT_OK


def cmd_persona(args: argparse.Namespace) -> int:
    from models.hub import ModelHub

    from . import adapters

    if args.action == "eval":
        from .persona_eval import evaluate

        if not args.heldout:
            raise SideloadError("persona eval needs --heldout FILE", kind="usage")
        with _open(args) as vault:
            hub = ModelHub(vault.settings)
            doc = run_job(args, lambda ctx: evaluate(vault, hub, Path(args.heldout), ctx, max_tokens=args.max_tokens))

        def human() -> None:
            print(f"held-out words: {doc['tokens']:,} tokens of {Path(doc['file']).name}")
            print(f"  base model  perplexity {doc['base']['perplexity']:8.2f}")
            who = f"adapter v{doc['persona']['adapter_id']}" if doc['persona'].get('adapter_id') else "no adapter"
            print(f"  persona     perplexity {doc['persona']['perplexity']:8.2f}  ({who})")
            print(f"  {doc['reduction'] * 100:.1f} % lower than the base model")

        _emit(args, doc, human)
        return EXIT_OK
    if args.action in ("history", None):
        with _open(args) as vault:
            rows = adapters.history(vault.db)

        def human_h() -> None:
            if not rows:
                print("no adapter trained yet: `sideload consolidate` trains one")
            for r in rows:
                print(f"v{r['adapter_id']:<4} {r['created_at']}  {r['status']:<9} base {r['ppl_base'] or 0:7.2f}  "
                      f"new {r['ppl_new'] or 0:7.2f}  {r['train_tokens']:>8,} tokens  {r['note']}")

        _emit(args, {"adapters": rows}, human_h)
        return EXIT_OK
    raise SideloadError(f"unknown persona action {args.action!r} (eval | history)", kind="usage")


def cmd_private(args: argparse.Namespace) -> int:
    from . import privacy

    if not args.kind:
        with _open(args) as vault:
            doc = {"private": vault.db.execute("SELECT count(*) FROM moments WHERE private = 1").fetchone()[0],
                   "rules": privacy.rules(vault.db)}
    else:
        if not args.values:
            raise SideloadError(f"name at least one {args.kind} to mark", kind="usage")
        with _open(args, write=True) as vault:
            doc = privacy.mark(vault, args.kind, args.values, release=args.release)

    def human() -> None:
        for r in doc["rules"]:
            print(f"private {r['kind']:<7} {r['value']}   (since {r['since']})")
        print(f"{doc['private']} moment(s) private" + (f", {doc['changed']} changed now" if "changed" in doc else ""))

    _emit(args, doc, human)
    return EXIT_OK


def _passphrase(args: argparse.Namespace, confirm: bool = False) -> str:
    import getpass
    import os

    if getattr(args, "passphrase_file", None):
        try:
            return Path(args.passphrase_file).expanduser().read_text(encoding="utf-8").rstrip("\n")
        except OSError as exc:
            raise SideloadError(f"the passphrase file cannot be read ({exc.strerror})", kind="usage") from None
    if os.environ.get("SIDELOAD_PASSPHRASE"):
        return os.environ["SIDELOAD_PASSPHRASE"]
    if sys.stdin.isatty():
        first = getpass.getpass("passphrase: ")
        if confirm and getpass.getpass("again: ") != first:
            raise SideloadError("the two passphrases differ", kind="usage")
        return first
    raise SideloadError("a passphrase is needed: --passphrase-file F or $SIDELOAD_PASSPHRASE", kind="usage")


def cmd_export(args: argparse.Namespace) -> int:
    from .legacy import export

    passphrase = _passphrase(args, confirm=True)
    with _open(args) as vault:
        n, shares = export(vault, Path(args.out), passphrase, media=args.media, trustees=args.trustees,
                           threshold=args.threshold)
    out = str(Path(args.out).expanduser().resolve())
    doc: dict[str, Any] = {"out": out, "moments": n}
    if shares:
        folder = Path(args.shares_out or Path(out).parent).expanduser().resolve()
        folder.mkdir(parents=True, exist_ok=True)
        paths_ = []
        for i, share in enumerate(shares, 1):
            p = folder / f"{Path(out).stem}.share-{i}-of-{len(shares)}.txt"
            p.write_text(share + "\n", encoding="utf-8")
            paths_.append(str(p))
        doc["shares"] = paths_
    _emit(args, doc, lambda: print(f"preserved {n} moments in {out}"
                                   + (f"; {len(shares)} trustee shares in {Path(doc['shares'][0]).parent}" if shares else "")))
    return EXIT_OK


def cmd_open_legacy(args: argparse.Namespace) -> int:
    from . import paths as paths_mod
    from .legacy import open_legacy

    shares = [Path(f).expanduser().read_text(encoding="utf-8").strip() for f in args.share_file or []]
    dest = Path(args.to).expanduser().resolve() if args.to else \
        paths_mod.user_data_dir() / "legacy" / Path(args.file).stem
    open_legacy(Path(args.file), dest, passphrase=None if shares else _passphrase(args), shares=shares or None)
    import sqlite3 as _sqlite

    conn = _sqlite.connect(dest / "sideload.db")  # media travelled inside: point at it where it now lies
    conn.execute("UPDATE files SET path = ? || '/' || path WHERE path LIKE 'media/%'", (str(dest),))
    conn.commit()
    conn.close()
    with Vault.open(dest) as vault:
        counts = vault.counts()
    doc = {"vault": str(dest), **counts, "read_only": True}
    _emit(args, doc, lambda: print(f"opened a preserved sideload ({counts['moments']} moments) read-only at {dest}\n"
                                   f"  search it:  sideload --vault {dest} search \"...\"\n"
                                   f"  ask it:     sideload --vault {dest} ask \"...\""))
    if args.gui:
        from ui.app import run_app

        return run_app(dest)
    return EXIT_OK


def cmd_settings(args: argparse.Namespace) -> int:
    from .settings import SCHEMA

    if args.value is not None:
        with _open(args, write=True) as vault:
            vault.settings.set(args.name, args.value)
            vault.settings.save()
            doc = {args.name: vault.settings[args.name]}
        _emit(args, doc, lambda: print(f"{args.name} = {json.dumps(doc[args.name])}"))
        return EXIT_OK
    with _open(args) as vault:
        if args.name:
            doc = {args.name: vault.settings.get(args.name)}
            _emit(args, doc, lambda: print(json.dumps(doc[args.name])))
            return EXIT_OK
        values = vault.settings.as_dict()
    doc = {"settings": [{"name": s.name, "value": values[s.name], "default": s.default, "type": s.type,
                         "description": s.description} for s in SCHEMA]}

    def human() -> None:
        for s in SCHEMA:
            print(f"{s.name:<22} {json.dumps(values[s.name]):<12} {s.description}")

    _emit(args, doc, human)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(args, run_job, _emit)


def cmd_app(args: argparse.Namespace) -> int:
    try:
        from ui.app import run_app
    except ImportError as exc:
        raise SideloadError(f"the desktop app cannot start ({exc})", kind="usage") from None
    return run_app(_vault_dir(args))


def _check_date(value: str, flag: str) -> None:
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError:
        raise SideloadError(f"{flag} expects a date as YYYY-MM-DD (got {value!r})", kind="usage") from None


# -- parser -------------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2 like every other "could not run"
        self.print_usage(sys.stderr)
        raise SideloadError(message, kind="usage")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--vault", default=argparse.SUPPRESS, help="the vault folder (else $SIDELOAD_VAULT, else the default)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document on stdout")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log in detail")
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="no progress bar")

    parser = _Parser(prog="sideload", description="Keep a life, find its moments, let it speak.",
                     parents=[common])
    parser.add_argument("--version", action="version", version=f"sideload {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("init", parents=[common], help="create the vault")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("import", parents=[common], help="import and fully process files and folders")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("moments", parents=[common], help="list moments in time order")
    p.add_argument("--day", metavar="YYYY-MM-DD")
    p.add_argument("--source", metavar="PATH")
    p.set_defaults(func=cmd_moments)

    p = sub.add_parser("search", parents=[common], help="find moments: ranked, filtered, as tight as the evidence")
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--from", dest="from_", metavar="DATE")
    p.add_argument("--to", metavar="DATE")
    p.add_argument("--speaker", choices=("me", "other", "unknown"))
    p.add_argument("--kind", choices=("speech", "scene", "photo", "text"))
    p.add_argument("--source", metavar="PATH", help="a file, or a folder of files")
    p.add_argument("--mode", choices=("hybrid", "dense", "keyword"), default="hybrid",
                   help="hybrid (default) fuses meaning and words")
    p.set_defaults(func=cmd_search)

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

    p = sub.add_parser("consolidate", parents=[common],
                       help="run the nightly consolidation now (import new, re-embed, profile, train, evaluate, promote)")
    p.add_argument("--only", action="append", choices=("import", "re-embed", "profile", "train"),
                   help="run only these steps (repeatable)")
    p.add_argument("--token-budget", type=int, metavar="N", help="train on N tokens this run (default: the setting)")
    p.add_argument("--schedule", action="store_true", help="stay running and consolidate nightly at nightly_time")
    p.add_argument("--status", action="store_true", help="whether one is running, the next run, the last report")
    p.set_defaults(func=cmd_consolidate)

    p = sub.add_parser("persona", parents=[common], help="the persona's adapters: eval --heldout FILE | history")
    p.add_argument("action", nargs="?", choices=("eval", "history"))
    p.add_argument("--heldout", metavar="FILE", help="a file of the kinds `import` takes, not imported")
    p.add_argument("--max-tokens", type=int, default=20_000, metavar="N",
                   help="score at most N tokens, spread evenly over the file (default 20000)")
    p.set_defaults(func=cmd_persona)

    p = sub.add_parser("private", parents=[common],
                       help="mark moments, days, places or people private (never exported, not trained on); "
                            "no arguments lists the rules")
    p.add_argument("kind", nargs="?", choices=("moment", "day", "place", "person", "source"))
    p.add_argument("values", nargs="*", metavar="VALUE", help="moment ids, YYYY-MM-DD days, place or person names, paths")
    p.add_argument("--release", action="store_true", help="take the mark back (the owner releases it)")
    p.set_defaults(func=cmd_private)

    p = sub.add_parser("forget", parents=[common],
                       help="remove moments everywhere: catalogue, index, derived files, chats")
    p.add_argument("moment_ids", nargs="*", metavar="MOMENT_ID")
    p.add_argument("--source", metavar="PATH", help="every moment of one imported file")
    p.set_defaults(func=cmd_forget)

    p = sub.add_parser("export", parents=[common], help="write an encrypted, portable sideload for the family")
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--passphrase-file", metavar="F")
    p.add_argument("--media", choices=("none", "all"), default="none", help="take the original media along")
    p.add_argument("--trustees", type=int, default=0, metavar="N", help="split the key into N printable shares")
    p.add_argument("--threshold", type=int, default=0, metavar="K", help="any K shares open it")
    p.add_argument("--shares-out", metavar="DIR")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("open-legacy", parents=[common], help="open a preserved sideload read-only (family mode)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--passphrase-file", metavar="F")
    p.add_argument("--share-file", action="append", metavar="F", help="a trustee's share (give k of them)")
    p.add_argument("--to", metavar="DIR", help="where to unpack it (default: the per-user data folder)")
    p.add_argument("--gui", action="store_true", help="open the app on it")
    p.set_defaults(func=cmd_open_legacy)

    p = sub.add_parser("settings", parents=[common], help="list, show or change settings")
    p.add_argument("name", nargs="?")
    p.add_argument("value", nargs="?")
    p.set_defaults(func=cmd_settings)

    p = sub.add_parser("demo", parents=[common], help="build the demo vault from the built-in sample day")
    p.add_argument("--no-gui", action="store_true", help="print a short tour instead of opening the app")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("app", parents=[common], help="open the desktop app on the vault")
    p.set_defaults(func=cmd_app)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SideloadError as exc:
        sys.stderr.write(f"sideload: {exc}\n")
        return exc.exit_code
    for name, default in (("vault", None), ("json", False), ("verbose", False), ("quiet", False)):
        if not hasattr(args, name):
            setattr(args, name, default)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_FAILED
    log_file = logs.setup(verbose=args.verbose)
    try:
        return args.func(args)
    except SideloadError as exc:
        sys.stderr.write(f"sideload: {exc}\n")
        return exc.exit_code
    except (Cancelled, KeyboardInterrupt):
        sys.stderr.write("sideload: cancelled; run the same command again to resume\n")
        return EXIT_CANCELLED
    except Exception as exc:
        env = from_environment(exc)
        if env is not None:
            sys.stderr.write(f"sideload: {env}\n")
            return env.exit_code
        log.error("unexpected error\n%s", traceback.format_exc())
        handler_file = getattr(logging.getLogger().handlers[-1], "baseFilename", log_file)
        sys.stderr.write(f"sideload: internal error ({type(exc).__name__}: {exc}); "
                         f"the details are in {handler_file}\n")
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
