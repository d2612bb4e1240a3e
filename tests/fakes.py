"""Fakes handed in through the application context, for the fast tier: a hub whose embedder hashes
words into vectors, a chat model that streams a canned reply at a set pace (and honours stop), and a
fixed clock. They stand beside the tests of the real engines, never instead of them."""
from __future__ import annotations

import hashlib
import threading
import time
from datetime import datetime
from pathlib import Path

import numpy as np

from sideload.context import AppContext
from sideload.recall.words import keyword_terms, stem

DIM = 384  # the vector matrix and the index are laid out for 384 dimensions


class FakeEmbedder:
    """Bag of word stems, hashed into 384 dimensions: texts that share words are near, others are not."""
    name = "fake-hashed-words"
    dim = DIM

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIM), np.float32)
        for i, text in enumerate(texts):
            for word in keyword_terms(text):  # content words only, as a real model mostly weighs them
                h = int(hashlib.md5(stem(word).encode()).hexdigest(), 16)
                out[i, h % DIM] += 1.0
            n = np.linalg.norm(out[i])
            out[i] = out[i] / n if n else out[i]
        return out


class FakeLLM:
    """Streams `reply` word by word, `delay_s` apart; a stop ends it at the next word."""
    name = "fake-llm"

    def __init__(self, reply: str = "I put it somewhere safe.", delay_s: float = 0.0, words: int | None = None):
        self.reply, self.delay_s, self.words = reply, delay_s, words
        self.calls: list[dict] = []
        self.generated = 0
        self.stopped = threading.Event()

    def chat(self, messages, *, max_tokens=96, temperature=0.0, on_token=None, stop=None) -> str:
        self.calls.append({"messages": messages, "max_tokens": max_tokens})
        pieces = self.reply.split(" ")
        if self.words:
            pieces = (pieces * (self.words // len(pieces) + 1))[: self.words]
        out = []
        for i, word in enumerate(pieces):
            if stop and stop():
                self.stopped.set()
                break
            piece = word if i == 0 else " " + word
            out.append(piece)
            self.generated += 1
            if on_token:
                on_token(piece)
            if self.delay_s:
                time.sleep(self.delay_s)
        return "".join(out)

    def close(self) -> None:
        pass


class FakeHub:
    """The ModelHub's face, with fake engines; anything else a test did not expect fails loudly."""

    def __init__(self, settings, llm: FakeLLM | None = None):
        self.settings = settings
        self.threads = 1
        self.device = "cpu"
        self.torch_device = "cpu"
        self.heavy = threading.RLock()
        self.lora_path: Path | None = None
        self.embedder = FakeEmbedder()
        self._llm = llm or FakeLLM()
        self.closed = False

    @property
    def llm(self):
        return self._llm

    def configure(self, settings) -> None:
        self.settings = settings

    def enrolled_voice(self):
        return None

    def torch_threads(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def __getattr__(self, name):  # whisper, voice, frames: not for the fast tier
        raise AssertionError(f"the fast tier does not load the {name} model")


def fake_context(vault_dir: Path, *, llm: FakeLLM | None = None,
                 now: datetime = datetime(2026, 3, 3, 9, 0)) -> AppContext:
    hubs: list[FakeHub] = []

    def make(settings):
        hubs.append(FakeHub(settings, llm))
        return hubs[-1]

    ctx = AppContext(vault_dir, hub_factory=make, clock=lambda: now, warn=lambda text: None)
    ctx.hubs = hubs
    return ctx
