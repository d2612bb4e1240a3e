"""The HTTP transport: the standard library's threading server, a token on every request, JSON
documents, server-sent events for a streamed answer, and byte ranges for media.

Every request is answered in its own thread (`ThreadingHTTPServer`); what may run at once is decided
by the engines (one engine thread for search and answers, one writer). Errors are one JSON document,
`{"error": {"kind", "message", "hint"}}`, the same words the command line prints, with an HTTP status
chosen by kind.
"""
from __future__ import annotations

import json
import logging
import os
import re
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sideload.errors import SideloadError
from sideload.serve.access import authorised
from sideload.serve.routes import Api, Events, Json, Media, Request, as_error, error_doc

log = logging.getLogger(__name__)
MAX_BODY = 1 << 20
CHUNK = 1 << 16
STATUS = {"usage": 400, "setting": 400, "input": 400, "unauthorized": 401, "read-only": 403, "not-found": 404,
          "method": 405, "busy": 409, "range": 416, "disk-full": 507}
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


class SideloadServer(ThreadingHTTPServer):
    daemon_threads = True  # a client that keeps a connection open never holds up the shutdown

    def __init__(self, address: tuple[str, int], api: Api, token: str, token_path: Path):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.api, self.token, self.token_path = api, token, token_path
        super().__init__(address, Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{f'[{host}]' if ':' in host else host}:{port}"

    def serve_forever(self, poll_interval: float = 0.2) -> None:
        self._serving = True
        try:
            super().serve_forever(poll_interval)
        finally:
            self._serving = False

    def close(self) -> None:
        if getattr(self, "_serving", False):
            self.shutdown()  # waits for serve_forever to return (it never would if it never ran)
        self.server_close()
        self.api.engines.close()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Sideload"
    server: SideloadServer

    def do_GET(self) -> None:  # noqa: N802 (the standard library's names)
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def log_message(self, fmt: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), fmt % args)

    def _serve(self, method: str) -> None:
        try:
            body = self._body() if method == "POST" else {}
            if not authorised(self.headers.get("Authorization"), self.server.token):
                raise SideloadError("a valid token is required: send `Authorization: Bearer TOKEN`",
                                    kind="unauthorized",
                                    hint=f"the owner finds the token in {self.server.token_path}")
            url = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            out = self.server.api.handle(Request(method, url.path.rstrip("/") or "/", query, body,
                                                 self.headers.get("Accept", "")))
        except Exception as exc:  # every failure is one JSON document, never a traceback on the wire
            self._error(exc)
            return
        try:
            if isinstance(out, Json):
                self._json(out.status, out.doc)
            elif isinstance(out, Events):
                self._events(out)
            elif isinstance(out, Media):
                self._media(out)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except SideloadError as exc:  # a range that cannot be served: nothing was sent yet
            self._error(exc)

    def _body(self) -> dict[str, Any]:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            raise SideloadError(f"the request body must be JSON of at most {MAX_BODY} bytes", kind="usage")
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return {}
        try:
            doc = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SideloadError(f"the request body is not valid JSON ({exc})", kind="usage") from None
        if not isinstance(doc, dict):
            raise SideloadError("the request body must be a JSON object", kind="usage")
        return doc

    def _error(self, exc: Exception) -> None:
        err = as_error(exc)
        extra = {"WWW-Authenticate": 'Bearer realm="sideload"'} if err.kind == "unauthorized" else {}
        try:
            self._json(STATUS.get(err.kind, 500), error_doc(err), extra)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _json(self, status: int, doc: Any, headers: dict[str, str] | None = None) -> None:
        data = (json.dumps(doc, ensure_ascii=False) + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _events(self, events: Events) -> None:
        """`event: token` for each piece as it is written, then `event: answer` (or `error`)."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for name, data in events.items:
                chunk = f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode("utf-8")
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            events.stop()  # the client left: the model stops at its next token
            for _ in events.items:
                pass
            self.close_connection = True

    def _media(self, media: Media) -> None:
        """The file itself, whole or one byte range (players seek with ranges); the moment's second
        rides along in `X-Sideload-Start-S`."""
        size = media.path.stat().st_size
        start, end, status = 0, size - 1, 200
        wanted = self.headers.get("Range")
        if wanted:
            m = _RANGE.match(wanted.strip())
            if not m or (not m.group(1) and not m.group(2)):
                raise_range(size)
            if m.group(1):
                start = int(m.group(1))
                end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
            else:
                start = max(size - int(m.group(2)), 0)
            if start > end or start >= size:
                self._json(416, error_doc(SideloadError(f"the range {wanted} is outside the file ({size} bytes)",
                                                        kind="range")), {"Content-Range": f"bytes */{size}"})
                return
            status = 206
        self.send_response(status)
        self.send_header("Content-Type", media.content_type)
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("X-Sideload-Start-S", f"{media.start_s:g}")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        with open(media.path, "rb") as fh:
            fh.seek(start)
            left = end - start + 1
            while left > 0:
                data = fh.read(min(CHUNK, left))
                if not data:
                    break
                self.wfile.write(data)
                left -= len(data)


def raise_range(size: int) -> None:
    raise SideloadError(f"only one byte range of the form bytes=START-END is understood (file of {size} bytes)",
                        kind="usage")


def bind(api: Api, host: str, port: int, token: str, token_path: Path) -> SideloadServer:
    try:
        return SideloadServer((host, port), api, token, token_path)
    except OSError as exc:
        raise SideloadError(f"cannot listen on {host}:{port} ({os.strerror(exc.errno) if exc.errno else exc})",
                            kind="usage", hint="pick another --port, or stop what is using it") from None
