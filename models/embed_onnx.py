"""The embedding model through onnxruntime: exported once per machine, checked, then loaded without torch.

Loading torch and sentence-transformers took 6 to 8 s of every `sideload search` on 2 cores, and
embedding one query with torch had a p95 of 96 ms at a million moments. The same network runs in
onnxruntime in a few milliseconds after a load of half a second, so the sentence-transformers folder
(the bundled all-MiniLM-L6-v2, or the user's `embedding_model`) is exported to ONNX once per machine
into the model cache beside Whisper (`models/whisper_cache.py`: same root, same habits):

- the export is written into a temporary folder, its vectors are compared with sentence-transformers'
  on a few sentences (padding and truncation included) and it is accepted only within 1e-3, then the
  folder is renamed into place with a manifest naming the ONNX file's size and sha256;
- every load checks that size and sha256 again (about 80 ms); a damaged or partial export is made
  again;
- tokenising is the `tokenizers` package on the folder's tokenizer.json, pooling the mean over real
  tokens and an L2 normalisation, exactly as sentence-transformers does, truncated at the folder's
  max_seq_length. Only the export imports torch.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .whisper_cache import cache_root, file_ok

log = logging.getLogger(__name__)

EXPORT_VERSION = 1  # bump when the exported graph or the manifest changes: older exports are redone
TOLERANCE = 1e-3  # max abs difference to sentence-transformers' vectors for an export to be accepted
MANIFEST = "export.json"
ONNX_FILE = "model.onnx"
# Short, long (past max_seq_length), accented, empty and mixed lengths in one padded batch.
PROBES = ("where did I leave the car keys", "Hello", "",
          "The dentist said my teeth were fine, but I should floss more often. " * 40,
          "Café naïve Zürich 東京 — résumé", "Went by water to Whitehall, and there met with my Lord's letter.")


class Unsupported(Exception):
    """This folder cannot run through onnxruntime as sentence-transformers runs it (the reason)."""


@dataclass(frozen=True)
class Source:
    """A sentence-transformers folder whose network is a transformer, mean pooling and a normalisation."""

    folder: Path
    max_seq_length: int
    lowercase: bool

    def fingerprint(self) -> str:
        """Which folder and which weights: a changed or replaced model gets an export of its own."""
        h = hashlib.sha256(f"v{EXPORT_VERSION}|{self.folder.resolve()}|{self.max_seq_length}|{self.lowercase}".encode())
        for f in sorted(self.folder.iterdir()):
            if f.is_file() and f.suffix in (".safetensors", ".bin", ".json", ".txt"):
                st = f.stat()
                h.update(f"|{f.name}:{st.st_size}:{st.st_mtime_ns}".encode())
        return h.hexdigest()[:12]

    def cache_dir(self, name: str, root: Path | None = None) -> Path:
        slug = "".join(c if c.isalnum() or c in "-_." else "-" for c in name)
        return (root or cache_root()) / f"embed-{slug}-onnx-{self.fingerprint()}"


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def describe(folder: Path) -> Source:
    """The folder as a Source, or Unsupported naming what onnxruntime cannot do as sentence-transformers does."""
    if not (folder / "tokenizer.json").is_file():
        raise Unsupported("it has no tokenizer.json")
    modules = _read_json(folder / "modules.json")
    if not isinstance(modules, list):
        raise Unsupported("it has no modules.json (not a sentence-transformers folder)")
    kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
    if kinds not in (["Transformer", "Pooling", "Normalize"], ["Transformer", "Pooling"]):
        raise Unsupported(f"its modules are {', '.join(kinds)} (only Transformer, Pooling, Normalize)")
    if modules[0].get("path", "") not in ("", "0_Transformer"):
        raise Unsupported("its transformer is not in the folder itself")
    pooling = _read_json(folder / modules[1].get("path", "1_Pooling") / "config.json") or {}
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode") and v}
    if modes != {"pooling_mode_mean_tokens"}:
        raise Unsupported(f"its pooling is {', '.join(sorted(modes)) or 'unknown'} (only mean pooling)")
    config = _read_json(folder / "sentence_bert_config.json") or {}
    max_len = config.get("max_seq_length") or (_read_json(folder / "tokenizer_config.json") or {}).get(
        "model_max_length") or 512
    return Source(folder, min(int(max_len), 512), bool(config.get("do_lower_case", False)))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def cached(folder: Path) -> dict | None:
    """The manifest of a complete, undamaged export in `folder`, or None."""
    manifest = _read_json(folder / MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("version") != EXPORT_VERSION:
        return None
    if not file_ok(folder / ONNX_FILE, int(manifest.get("size", -1)), str(manifest.get("sha256", ""))):
        return None
    return manifest


class OnnxEmbedder:
    """list[str] -> L2-normalised float32 vectors, like sentence-transformers' encode; no torch."""

    def __init__(self, source: Source, folder: Path, manifest: dict, *, name: str, threads: int = 2,
                 onnx_file: Path | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.name = name
        self.source = source
        self.backend = "onnxruntime"
        self.dim = int(manifest["dim"])
        self._inputs = list(manifest["inputs"])
        self._tok = Tokenizer.from_file(str(source.folder / "tokenizer.json"))
        self._tok.enable_truncation(source.max_seq_length)
        pad = self._tok.padding or {}
        self._tok.enable_padding(pad_id=int(pad.get("pad_id", 0)), pad_token=str(pad.get("pad_token", "[PAD]")))
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = max(1, int(threads))
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3  # onnxruntime's own warnings are not the user's business
        # its pool threads spin after each run by default: on 2 cores that took the CPU from the
        # keyword leg running beside it (and from torch, 500 ms a query instead of 45)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(onnx_file or folder / ONNX_FILE), opts,
                                             providers=["CPUExecutionProvider"])
        # the tokenizer's settings are fixed above; one run at a time keeps the thread pool to `threads`
        self._lock = threading.Lock()

    def _run(self, texts: list[str]) -> np.ndarray:
        if self.source.lowercase:
            texts = [t.lower() for t in texts]
        enc = self._tok.encode_batch(texts)
        ids = np.array([e.ids for e in enc], np.int64)
        mask = np.array([e.attention_mask for e in enc], np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.array([e.type_ids for e in enc], np.int64)
        hidden = self._session.run(None, feed)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        # longest first, as sentence-transformers does: batches of like lengths carry little padding
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), self.dim), np.float32)
        with self._lock:
            for lo in range(0, len(texts), batch_size):
                part = order[lo:lo + batch_size]
                out[part] = self._run([texts[i] for i in part])
        return out


def _export_graph(source: Source, target: Path) -> tuple[list[str], np.ndarray]:
    """Write the transformer as ONNX at `target`; returns its inputs and sentence-transformers'
    vectors of PROBES (the reference). The one place torch is imported."""
    import warnings

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # stderr belongs to our own messages
    with warnings.catch_warnings():
        # the tracer's notes on shapes it freezes: the export is judged by its vectors below instead
        warnings.simplefilter("ignore")
        return _trace(SentenceTransformer(str(source.folder), device="cpu"), target)


def _trace(st, target: Path) -> tuple[list[str], np.ndarray]:
    import inspect

    import torch

    reference = np.asarray(st.encode(list(PROBES), normalize_embeddings=True, convert_to_numpy=True,
                                     show_progress_bar=False), np.float32)
    hf = st[0].auto_model.eval()
    inputs = ["input_ids", "attention_mask"]
    if "token_type_ids" in inspect.signature(hf.forward).parameters:
        inputs.append("token_type_ids")

    class Hidden(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, *args):
            return self.model(**dict(zip(inputs, args))).last_hidden_state

    example = tuple(torch.ones((2, 8), dtype=torch.long) for _ in inputs)
    axes = {name: {0: "batch", 1: "tokens"} for name in [*inputs, "last_hidden_state"]}
    with torch.no_grad():
        torch.onnx.export(Hidden(hf), example, str(target), input_names=inputs, output_names=["last_hidden_state"],
                          dynamic_axes=axes, opset_version=17, dynamo=False)
    return inputs, reference


def export(source: Source, folder: Path, *, threads: int = 2) -> dict:
    """Export `source` into `folder` (made anew through a temporary folder), accepted only when its
    vectors match sentence-transformers' within TOLERANCE. Returns the manifest."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}-{time.monotonic_ns()}")
    tmp.mkdir()
    try:
        t0 = time.perf_counter()
        inputs, reference = _export_graph(source, tmp / ONNX_FILE)
        onnx = tmp / ONNX_FILE
        manifest = {"version": EXPORT_VERSION, "source": str(source.folder), "inputs": inputs,
                    "dim": int(reference.shape[1]), "size": onnx.stat().st_size, "sha256": _sha256(onnx)}
        check = OnnxEmbedder(source, tmp, manifest, name="check", threads=threads)
        diff = float(np.abs(check.encode(list(PROBES)) - reference).max())
        del check
        if not diff <= TOLERANCE:
            raise Unsupported(f"its ONNX export differs from sentence-transformers by {diff:.2g} (over {TOLERANCE})")
        manifest.update(max_abs_diff=diff, export_s=round(time.perf_counter() - t0, 1))
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1))
        if cached(folder) is None:  # another process may have finished the same export meanwhile
            shutil.rmtree(folder, ignore_errors=True)
            os.replace(tmp, folder)
        log.info("exported %s to %s (max abs diff %.2g)", source.folder, folder, diff)
        return cached(folder) or manifest
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _clear_stale(root: Path) -> None:
    """Temporary folders of an export that died midway (older than an hour)."""
    for f in root.glob("embed-*.tmp-*"):
        try:
            if time.time() - f.stat().st_mtime > 3600:
                shutil.rmtree(f, ignore_errors=True)
        except OSError:
            pass


def load(model_folder: Path, *, name: str, threads: int = 2, root: Path | None = None,
         notice: Callable[[str], None] | None = None) -> OnnxEmbedder:
    """The folder's model through onnxruntime, exported first when the cache has no sound export.
    Raises Unsupported (with the reason) when it cannot run so."""
    source = describe(model_folder)
    folder = source.cache_dir(name, root)
    manifest = cached(folder)
    if manifest is None:
        if folder.exists():
            log.warning("the cached embedding export %s is damaged or partial; exporting it again", folder)
        say = notice or (lambda text: sys.stderr.write(f"sideload: {text}\n"))
        say(f"preparing the embedding model {name} for onnxruntime "
            "(once per machine, about 15 s)")
        if folder.parent.exists():
            _clear_stale(folder.parent)
        try:
            manifest = export(source, folder, threads=threads)
        except Unsupported:
            raise
        except Exception as exc:  # torch's exporter raises many kinds; the caller falls back on torch
            raise Unsupported(f"its ONNX export failed ({type(exc).__name__}: {exc})") from exc
    return OnnxEmbedder(source, folder, manifest, name=name, threads=threads)
