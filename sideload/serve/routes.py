"""The API's endpoints: each turns a request into the same document the command line prints.

    GET  /v1/status                     the vault, whether writes are allowed, what is being written
    GET  /v1/search?q=…                 `search --json` (limit, from, to, speaker, kind, source, mode)
    GET  /v1/moments?day=…|source=…     `moments --json`
    GET  /v1/moments/ID                 one moment, with where its media is and the second it starts at
    GET  /v1/moments/ID/media           the original (or its reduced copy) itself, with Range support
    GET  /v1/ask?q=…  POST /v1/ask      the persona's answer, streamed as server-sent events (or whole)
    GET  /v1/predict?at=…&context=…     `predict --json`
    GET  /v1/storage                    `storage --json`, with the retention plan
    POST /v1/import {"paths": […]}      `import --json` (only with --allow-write; dry_run always)
    POST /v1/forget {"moment_ids": […]} or {"source": PATH}: `forget --json` (only with --allow-write)
"""
from __future__ import annotations

import logging
import mimetypes
import queue
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from sideload import __version__, documents
from sideload.errors import Cancelled, SideloadError, from_environment
from sideload.jobs import CancelToken, JobContext
from sideload.store.vault import is_legacy

log = logging.getLogger(__name__)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)
    accept: str = ""


@dataclass
class Json:
    doc: Any
    status: int = 200


@dataclass
class Events:
    """Server-sent events: each item is (event name, JSON-able data); `stop` is called when the
    client goes away, so the model stops at its next token."""
    items: Iterator[tuple[str, Any]]
    stop: Callable[[], None]


@dataclass
class Media:
    path: Path
    content_type: str
    start_s: float


class Api:
    def __init__(self, context, engines, *, allow_write: bool):
        self.context = context
        self.engines = engines
        self.family = _family(context)
        self.allow_write = allow_write and not self.family  # a family vault is read-only, always
        self.routes: list[tuple[str, re.Pattern, Callable[..., Any]]] = [
            ("GET", re.compile(r"/v1/status"), self.status),
            ("GET", re.compile(r"/v1/search"), self.search),
            ("GET", re.compile(r"/v1/moments"), self.moments),
            ("GET", re.compile(r"/v1/moments/([0-9a-f]{1,64})"), self.moment),
            ("GET", re.compile(r"/v1/moments/([0-9a-f]{1,64})/media"), self.media),
            ("GET", re.compile(r"/v1/ask"), self.ask),
            ("POST", re.compile(r"/v1/ask"), self.ask),
            ("GET", re.compile(r"/v1/predict"), self.predict),
            ("GET", re.compile(r"/v1/storage"), self.storage),
            ("POST", re.compile(r"/v1/import"), self.import_),
            ("POST", re.compile(r"/v1/forget"), self.forget),
        ]

    def handle(self, req: Request):
        known = False
        for method, pattern, fn in self.routes:
            m = pattern.fullmatch(req.path)
            if m:
                known = True
                if method == req.method:
                    return fn(req, *m.groups())
        if known:
            raise SideloadError(f"{req.method} is not allowed on {req.path}", kind="method")
        raise SideloadError(f"there is no endpoint {req.path}", kind="not-found",
                            hint="GET /v1/status answers; the README's `sideload serve` lists the rest")

    # -- reading ------------------------------------------------------------------------------
    def status(self, req: Request) -> Json:
        with self.context.open() as vault:
            doc = {"vault": str(vault.paths.root), "version": __version__, "owner": vault.settings["owner_name"],
                   "family": self.family, "writes": self.allow_write, **vault.counts()}
        doc["writing"] = self.engines.writing
        return Json(doc)

    def search(self, req: Request) -> Json:
        q = req.query
        limit = _int(q.get("limit", "10"), "limit")

        def run(engines):
            return documents.search(engines.vault, lambda: engines.searcher, q.get("q", ""), limit=limit,
                                    date_from=q.get("from"), date_to=q.get("to"), speaker=q.get("speaker"),
                                    kind=q.get("kind"), source=q.get("source"), mode=q.get("mode", "hybrid"))
        return Json(self.engines.call(run))

    def moments(self, req: Request) -> Json:
        with self.context.open() as vault:
            return Json(documents.moments(vault, day=req.query.get("day"), source=req.query.get("source")))

    def moment(self, req: Request, moment_id: str) -> Json:
        from sideload.store import queries

        with self.context.open() as vault:
            found = queries.moments_by_ids(vault.db, [moment_id])
        if not found:
            raise SideloadError(f"there is no moment {moment_id}", kind="not-found")
        m = found[0]
        path = Path(m["source"])
        media = {"url": f"/v1/moments/{moment_id}/media", "start_s": m["start_s"], "end_s": m["end_s"],
                 "fragment": f"#t={m['start_s']:g},{m['end_s']:g}", "available": path.is_file(),
                 "content_type": _content_type(path)}
        return Json({"moment": m, "media": media})

    def media(self, req: Request, moment_id: str) -> Media:
        doc = self.moment(req, moment_id).doc
        path = Path(doc["moment"]["source"])
        if not doc["media"]["available"]:
            raise SideloadError(f"the original of moment {moment_id} is not here ({path})", kind="not-found",
                                hint="its drive may be unplugged, or retention deleted it; keyframes and "
                                     "transcript are still in the vault")
        return Media(path, doc["media"]["content_type"], doc["moment"]["start_s"])

    def predict(self, req: Request) -> Json:
        with self.context.open() as vault:
            return Json(documents.predict(vault, at=req.query.get("at"), context=req.query.get("context"),
                                          clock=self.context.clock))

    def storage(self, req: Request) -> Json:
        from sideload.lifecycle import storage

        with self.context.open() as vault:
            return Json(storage.report(vault))

    def ask(self, req: Request):
        question = (req.body.get("question") if req.method == "POST" else req.query.get("q")) or ""
        if not question.strip():
            raise SideloadError("ask needs a question (q=… or {\"question\": …})", kind="usage")
        stream = _flag(req.body.get("stream", req.query.get("stream", True)))
        if not stream or "application/json" in req.accept:
            return Json(self.engines.call(lambda e: e.persona.ask(question).as_json()))
        return _stream_answer(self.engines, question)

    # -- writing ------------------------------------------------------------------------------
    def _writable(self, what: str) -> None:
        if self.family:
            raise SideloadError("this is a preserved sideload in family mode: it can be read, searched and "
                                f"asked, never changed ({what} refused)", kind="read-only")
        if not self.allow_write:
            raise SideloadError(f"this server is read-only: {what} is refused", kind="read-only",
                                hint="start it with `sideload serve --allow-write` to allow imports and forgetting")

    def import_(self, req: Request) -> Json:
        paths = req.body.get("paths")
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
            raise SideloadError('import needs {"paths": ["/a/folder", …]}', kind="usage")
        inputs = [Path(p).expanduser() for p in paths]
        if _flag(req.body.get("dry_run", False)):  # reading only: allowed on every server
            with self.context.open() as vault:
                return Json(self.context.import_session(vault, None, read_only=True).plan(inputs).as_json())
        self._writable("import")
        result = self.engines.write(f"import of {len(inputs)} path(s)",
                                    lambda vault: self.context.import_session(vault, JobContext()).run(inputs))
        return Json(result.as_json())

    def forget(self, req: Request) -> Json:
        from sideload.lifecycle.forget import forget

        ids, source = req.body.get("moment_ids"), req.body.get("source")
        if bool(ids) == bool(source) or (ids and not all(isinstance(i, str) for i in ids)):
            raise SideloadError('forget takes {"moment_ids": […]} or {"source": PATH} (one of the two)', kind="usage")
        self._writable("forget")
        n = self.engines.write("forget", lambda vault: forget(vault, moment_ids=ids or None, source=source))
        return Json({"forgotten": n})


def _stream_answer(engines, question: str) -> Events:
    """The answer's pieces as the model writes them, then the checked answer whole (`ask --json`)."""
    pieces: queue.Queue = queue.Queue()
    token = CancelToken()
    done = object()

    def run(e):
        try:
            answer = e.persona.ask(question, on_token=lambda piece: pieces.put(("token", {"text": piece})),
                                   ctx=JobContext(cancel=token))
            pieces.put(("answer", answer.as_json()))
        except Cancelled:
            pass
        except Exception as exc:  # the stream is open: the failure goes in it, as one more event
            pieces.put(("error", error_doc(as_error(exc))))
        finally:
            pieces.put(done)

    def opened(future) -> None:  # the engines could not even open: `run` never ran
        if future.exception() is not None:
            pieces.put(("error", error_doc(as_error(future.exception()))))
            pieces.put(done)

    engines.submit(run).add_done_callback(opened)

    def items():
        while True:
            item = pieces.get()
            if item is done:
                return
            yield item
    return Events(items(), token.cancel)


def as_error(exc: BaseException) -> SideloadError:
    """Any failure as the words a person reads: an environment fault named, a bug logged."""
    err = from_environment(exc)
    if err is None:
        log.error("unexpected error serving a request", exc_info=exc)
        err = SideloadError(f"internal error ({type(exc).__name__}: {exc}); the details are in the log",
                            kind="internal")
    return err


def error_doc(exc: SideloadError) -> dict[str, Any]:
    return {"error": {"kind": exc.kind, "message": exc.message, **({"hint": exc.hint} if exc.hint else {})}}


def _family(context) -> bool:
    with context.open() as vault:
        return is_legacy(vault.paths.catalogue)


def _content_type(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise SideloadError(f"{name} expects a whole number (got {value!r})", kind="usage") from None


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() not in ("0", "false", "no", "off", "")
    return bool(value)
