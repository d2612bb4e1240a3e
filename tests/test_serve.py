"""`sideload serve`: a real server on a real socket over a real vault (fake engines handed in through
the application context for the fast tier; one slow test with the real models)."""
from __future__ import annotations

import http.client
import json
import os
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest

from conftest import cli_json, run_cli
from fakes import FakeEmbedder, FakeHub, FakeLLM, fake_context
from sideload import documents
from sideload.context import AppContext
from sideload.errors import SideloadError
from sideload.jobs import JobContext
from sideload.serve import make_server

DIARY = [
    {"date": "2026-02-10", "text": "Took the ferry to the island with Ruth. The gulls stole half of my sandwich."},
    {"date": "2026-02-12", "text": "Ruth phoned: her cello recital moved to Saturday at the chapel on Mill Lane."},
    {"date": "2026-02-14", "text": "Bought tulips at the market for the kitchen table."},
]


def _diary(path, entries):
    path.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    return path


class GatedEmbedder(FakeEmbedder):
    """Holds any batch that mentions `word` until the test opens the gate: an import caught mid-way."""

    def __init__(self, word: str):
        self.word, self.entered, self.gate = word, threading.Event(), threading.Event()

    def encode(self, texts):
        if any(self.word in t for t in texts):
            self.entered.set()
            assert self.gate.wait(20), "the test never opened the gate"
        return super().encode(texts)


@pytest.fixture
def vault(tmp_path, home):
    context = fake_context(tmp_path / "vault")
    with context.init() as v:
        context.import_session(v, JobContext()).run([_diary(tmp_path / "diary.jsonl", DIARY)])
    return context


class Running:
    def __init__(self, context, **kw):
        self.server = make_server(context, "127.0.0.1", 0, **kw)
        self.token = self.server.token
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def call(self, method, path, body=None, token="mine", headers=None, raw=False):
        host, port = self.server.server_address[:2]
        conn = http.client.HTTPConnection(host, port, timeout=30)
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {self.token if token == 'mine' else token}"
        data = json.dumps(body).encode() if body is not None else None
        if data is not None:
            h["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=h)
        resp = conn.getresponse()
        payload = resp.read()
        conn.close()
        if raw:
            return resp, payload
        return resp.status, json.loads(payload)

    def close(self):
        self.server.close()


@pytest.fixture
def serving(vault):
    running = Running(vault)
    yield running
    running.close()


def test_no_token_or_a_wrong_one_is_refused(serving, vault):
    status, doc = serving.call("GET", "/v1/search?q=cello", token=None)
    assert status == 401 and doc["error"]["kind"] == "unauthorized" and "Bearer" in doc["error"]["message"]
    status, doc = serving.call("GET", "/v1/search?q=cello", token="x" * 43)
    assert status == 401 and doc["error"]["kind"] == "unauthorized"
    status, doc = serving.call("POST", "/v1/forget", {"moment_ids": ["a"]}, token=None)
    assert status == 401
    # the token was made in the vault on first serve, readable by the owner only, and kept
    token_file = vault.vault_dir / "serve.token"
    assert token_file.read_text().strip() == serving.token and len(serving.token) >= 40
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    again = make_server(vault, "127.0.0.1", 0, warm=False)
    assert again.token == serving.token
    again.close()


def test_a_non_loopback_bind_is_refused_unless_explicitly_allowed(vault, tmp_path):
    for host in ("0.0.0.0", "::", "192.0.2.10"):
        with pytest.raises(SideloadError) as err:
            make_server(vault, host, 0, warm=False)
        assert err.value.kind == "usage" and "--allow-remote" in err.value.hint
    proc = run_cli("--vault", str(vault.vault_dir), "serve", "--host", "0.0.0.0", "--port", "0", "--json")
    assert proc.returncode == 2 and "refusing to serve on 0.0.0.0" in proc.stderr
    assert json.loads(proc.stdout)["error"]["kind"] == "usage"
    explicit = make_server(vault, "0.0.0.0", 0, allow_remote=True, warm=False)
    explicit.close()


def test_search_moments_predict_and_media_answer_with_the_clis_documents(serving, vault):
    status, doc = serving.call("GET", "/v1/search?q=cello+recital&limit=3")
    assert status == 200 and "cello" in doc["results"][0]["text"]
    with vault.open() as v:  # the very document `sideload search --json` prints
        same = documents.search(v, lambda: vault.searcher(v), "cello recital", limit=3)
    assert [r["moment_id"] for r in doc["results"]] == [r["moment_id"] for r in same["results"]]
    status, moments = serving.call("GET", "/v1/moments?day=2026-02-12")
    assert status == 200 and [m["text"] for m in moments["moments"]] == [DIARY[1]["text"]]
    status, bad = serving.call("GET", "/v1/moments?day=12.2.2026")
    assert status == 400 and "YYYY-MM-DD" in bad["error"]["message"]
    status, pred = serving.call("GET", "/v1/predict?at=2026-02-15T09:00")
    assert status == 200 and pred["at"] == "2026-02-15T09:00" and "predictions" in pred

    mid = moments["moments"][0]["moment_id"]
    status, one = serving.call("GET", f"/v1/moments/{mid}")
    assert status == 200 and one["media"]["available"] and one["media"]["start_s"] == one["moment"]["start_s"]
    source = Path(one["moment"]["source"]).read_bytes()
    resp, body = serving.call("GET", one["media"]["url"], headers={"Range": "bytes=10-29"}, raw=True)
    assert resp.status == 206 and body == source[10:30]
    assert resp.getheader("Content-Range") == f"bytes 10-29/{len(source)}" and resp.getheader("X-Sideload-Start-S")
    resp, body = serving.call("GET", one["media"]["url"], raw=True)
    assert resp.status == 200 and body == source and resp.getheader("Accept-Ranges") == "bytes"
    resp, _ = serving.call("GET", one["media"]["url"], headers={"Range": f"bytes={len(source) + 5}-"}, raw=True)
    assert resp.status == 416
    assert serving.call("GET", "/v1/nowhere")[0] == 404


def test_an_answer_streams_as_it_is_written(serving):
    resp, body = serving.call("GET", "/v1/ask?q=when+is+the+cello+recital", raw=True)
    assert resp.status == 200 and resp.getheader("Content-Type").startswith("text/event-stream")
    events = [(e.split("\n")[0][len("event: "):], json.loads(e.split("\n")[1][len("data: "):]))
              for e in body.decode().strip().split("\n\n")]
    tokens = [d["text"] for name, d in events if name == "token"]
    name, answer = events[-1]
    assert name == "answer" and len(tokens) > 3 and answer["remembered"] and "Saturday" in answer["answer"]
    status, whole = serving.call("POST", "/v1/ask", {"question": "when is the cello recital", "stream": False})
    assert status == 200 and whole["answer"] == answer["answer"]


def test_a_failure_while_streaming_ends_the_stream_with_an_error_event(vault):
    class Broken(FakeLLM):
        def chat(self, *a, **kw):
            raise RuntimeError("the model fell over")

    running = Running(fake_context(vault.vault_dir, llm=Broken()))
    try:
        resp, body = running.call("GET", "/v1/ask?q=when+is+the+cello+recital", raw=True)
        last = body.decode().strip().split("\n\n")[-1].split("\n")
        assert resp.status == 200 and last[0] == "event: error"
        assert json.loads(last[1][len("data: "):])["error"]["kind"] == "internal"
        assert running.call("GET", "/v1/status")[0] == 200  # the server goes on
    finally:
        running.close()


def test_writes_are_refused_without_allow_write_and_always_on_a_family_vault(serving, vault, tmp_path):
    more = _diary(tmp_path / "more.jsonl", [{"date": "2026-02-20", "text": "Painted the shed green."}])
    status, doc = serving.call("POST", "/v1/import", {"paths": [str(more)]})
    assert status == 403 and doc["error"]["kind"] == "read-only" and "--allow-write" in doc["error"]["hint"]
    mid = serving.call("GET", "/v1/moments")[1]["moments"][0]["moment_id"]
    assert serving.call("POST", "/v1/forget", {"moment_ids": [mid]})[0] == 403
    status, plan = serving.call("POST", "/v1/import", {"paths": [str(more)], "dry_run": True})
    assert status == 200 and len(plan["would_import"]) == 1  # reading what would happen is not a write
    with vault.open() as v:
        assert v.counts()["moments"] == len(DIARY)

    conn = sqlite3.connect(vault.vault_dir / "sideload.db")
    conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES ('legacy', '1')")  # a preserved sideload
    conn.commit()
    conn.close()
    family = Running(vault, allow_write=True)
    try:
        status, doc = family.call("POST", "/v1/import", {"paths": [str(more)]})
        assert status == 403 and "family mode" in doc["error"]["message"]
        assert family.call("GET", "/v1/status")[1]["writes"] is False
    finally:
        family.close()


def test_requests_are_answered_while_an_import_runs(tmp_path, home):
    embedder = GatedEmbedder("GATEWORD")

    def hub(settings):
        h = FakeHub(settings)
        h.embedder = embedder
        return h

    context = AppContext(tmp_path / "v", hub_factory=hub, warn=lambda text: None)
    with context.init() as v:
        context.import_session(v, JobContext()).run([_diary(tmp_path / "diary.jsonl", DIARY)])
    running = Running(context, allow_write=True)
    more = _diary(tmp_path / "more.jsonl", [{"date": "2026-02-20", "text": "GATEWORD: painted the shed green."}])
    imported = {}
    writer = threading.Thread(target=lambda: imported.update(
        zip(("status", "doc"), running.call("POST", "/v1/import", {"paths": [str(more)]}))))
    try:
        writer.start()
        assert embedder.entered.wait(20)  # the import holds the vault's write lock, mid-way
        t0 = time.monotonic()
        status, doc = running.call("GET", "/v1/status")
        assert status == 200 and doc["writing"].startswith("import")
        results: list = []
        readers = [threading.Thread(target=lambda p=p: results.append(running.call("GET", p)))
                   for p in ("/v1/search?q=cello", "/v1/moments", "/v1/ask?q=cello+recital&stream=0",
                             "/v1/predict", "/v1/search?q=tulips")]
        for r in readers:
            r.start()
        for r in readers:
            r.join(20)
        assert [s for s, _ in results] == [200] * 5 and time.monotonic() - t0 < 10
        assert running.call("POST", "/v1/import", {"paths": [str(more)]})[1]["error"]["kind"] == "busy"
        embedder.gate.set()
        writer.join(20)
        assert imported["status"] == 200 and imported["doc"]["imported"] == 1
        # the engines see what was imported (they reopen when the catalogue changed)
        status, doc = running.call("GET", "/v1/search?q=painted+shed")
        assert status == 200 and "shed" in doc["results"][0]["text"]
    finally:
        embedder.gate.set()
        running.close()


@pytest.mark.slow
def test_serve_with_the_real_models(tmp_path, home):
    """The real command in its own process with the real embedding model: a search through HTTP
    finds what `sideload search` finds, and a wrong token is refused there too."""
    import subprocess
    import sys

    from conftest import ROOT

    vault = str(tmp_path / "v")
    AppContext(tmp_path / "v").init().close()
    run_cli("--vault", vault, "import", str(_diary(tmp_path / "diary.jsonl", DIARY)), check=True)
    proc = subprocess.Popen([sys.executable, "-m", "sideload.cli", "--vault", vault, "serve", "--port", "0", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT, env={**os.environ})
    try:
        started = json.loads(proc.stdout.readline())
        token = Path(started["token_file"]).read_text().strip()
        host, port = started["url"].rsplit("/", 1)[1].rsplit(":", 1)

        def get(path, tok):
            conn = http.client.HTTPConnection(host, int(port), timeout=120)
            conn.request("GET", path, headers={"Authorization": f"Bearer {tok}"})
            resp = conn.getresponse()
            out = resp.status, json.loads(resp.read())
            conn.close()
            return out

        assert get("/v1/status", "wrong")[0] == 401
        status, doc = get("/v1/search?q=when+does+ruth+play+music&limit=3", token)
        cli = cli_json("--vault", vault, "search", "when does ruth play music", "--limit", "3")
        assert status == 200 and "cello" in doc["results"][0]["text"]
        assert [r["moment_id"] for r in doc["results"]] == [r["moment_id"] for r in cli["results"]]
    finally:
        proc.terminate()
        proc.wait(30)
        proc.stdout.close()
