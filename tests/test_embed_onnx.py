"""The embedding model through onnxruntime: the same vectors as sentence-transformers, a damaged
export made again, and scripts that never wait for torch."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from models import embed_onnx
from models.embed import BUNDLED_NAME, bundled_embedding_dir

from conftest import ROOT

HEAVY = ("torch", "transformers", "sentence_transformers")
SENTENCES = ["where did I leave the car keys?", "The budget numbers are due on Friday.", "ok",
             "Went to the dentist; she found a small cavity and said to floss more often. " * 30,
             "Déjà vu at the café in Zürich", "my passport is in the top drawer of the desk"]


def test_the_bundled_folder_is_described_as_sentence_transformers_runs_it():
    source = embed_onnx.describe(bundled_embedding_dir())
    assert source.max_seq_length == 256 and source.lowercase is False


def test_a_folder_onnxruntime_cannot_run_is_named_with_its_reason(tmp_path):
    with pytest.raises(embed_onnx.Unsupported, match="tokenizer.json"):
        embed_onnx.describe(tmp_path)
    (tmp_path / "tokenizer.json").write_text("{}")
    (tmp_path / "modules.json").write_text(json.dumps([{"type": "sentence_transformers.models.Transformer"},
                                                        {"type": "sentence_transformers.models.Dense"}]))
    with pytest.raises(embed_onnx.Unsupported, match="Dense"):
        embed_onnx.describe(tmp_path)


def test_a_partial_or_damaged_export_is_not_taken_as_sound(tmp_path):
    onnx = tmp_path / embed_onnx.ONNX_FILE
    onnx.write_bytes(b"x" * 1000)
    manifest = {"version": embed_onnx.EXPORT_VERSION, "size": 1000, "sha256": embed_onnx._sha256(onnx)}
    (tmp_path / embed_onnx.MANIFEST).write_text(json.dumps(manifest))
    assert embed_onnx.cached(tmp_path) == manifest
    onnx.write_bytes(b"x" * 600)  # cut short
    assert embed_onnx.cached(tmp_path) is None
    onnx.write_bytes(b"y" + b"x" * 999)  # one byte changed, same size
    assert embed_onnx.cached(tmp_path) is None
    (tmp_path / embed_onnx.MANIFEST).write_text('{"version": ')  # a manifest cut short
    assert embed_onnx.cached(tmp_path) is None


@pytest.fixture(scope="module")
def exported(home):
    """The bundled model exported into the test home's model cache (as the first use on a machine does)."""
    said: list[str] = []
    embedder = embed_onnx.load(bundled_embedding_dir(), name=BUNDLED_NAME, notice=said.append)
    return embedder, said


@pytest.mark.slow
def test_onnx_vectors_equal_sentence_transformers_within_1e3(exported):
    from sentence_transformers import SentenceTransformer

    embedder, _ = exported
    reference = SentenceTransformer(str(bundled_embedding_dir()), device="cpu").encode(
        SENTENCES, normalize_embeddings=True, convert_to_numpy=True)
    vecs = embedder.encode(SENTENCES)
    assert vecs.shape == (len(SENTENCES), 384) and vecs.dtype == np.float32
    assert float(np.abs(vecs - reference).max()) <= 1e-3
    one_by_one = np.stack([embedder.encode([s])[0] for s in SENTENCES])  # padding changes nothing
    assert float(np.abs(one_by_one - vecs).max()) <= 1e-5
    assert embedder.name == BUNDLED_NAME  # a vault's vectors stay comparable, whichever backend made them


@pytest.mark.slow
def test_a_damaged_cached_export_is_made_again(exported):
    embedder, _ = exported
    folder = embedder.source.cache_dir(BUNDLED_NAME)
    good = embed_onnx.cached(folder)
    onnx = folder / embed_onnx.ONNX_FILE
    with open(onnx, "r+b") as fh:  # a flipped byte deep in the weights
        fh.seek(onnx.stat().st_size // 2)
        byte = fh.read(1)
        fh.seek(-1, 1)
        fh.write(bytes([byte[0] ^ 0xFF]))
    assert embed_onnx.cached(folder) is None
    said: list[str] = []
    again = embed_onnx.load(bundled_embedding_dir(), name=BUNDLED_NAME, notice=said.append)
    assert said and "once per machine" in said[0] and embed_onnx.cached(folder) is not None
    assert float(np.abs(again.encode(SENTENCES) - embedder.encode(SENTENCES)).max()) <= 1e-5
    assert embed_onnx.cached(folder)["size"] == good["size"]


_PROBE = ("import atexit, runpy, sys\n"
          "atexit.register(lambda: sys.stderr.write('HEAVY=' + ','.join(m for m in {heavy!r} if m in sys.modules)"
          " + '\\n'))\n"
          "sys.argv = ['sideload', *sys.argv[1:]]\n"
          "runpy.run_module('sideload.cli', run_name='__main__')\n")


def _heavy_modules(*args: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    proc = subprocess.run([sys.executable, "-c", _PROBE.format(heavy=HEAVY), *args], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    line = [x for x in proc.stderr.splitlines() if x.startswith("HEAVY=")][-1]
    return proc, [m for m in line[len("HEAVY="):].split(",") if m]


@pytest.mark.slow
def test_search_moments_and_ask_from_a_cold_process_import_no_torch(exported, tmp_path):
    diary = tmp_path / "diary.jsonl"
    diary.write_text("\n".join(json.dumps({"date": f"2026-03-0{i}", "text": t}) for i, t in enumerate(
        ["I left the car keys on the kitchen shelf.", "The dentist found a small cavity.",
         "Budget numbers are due on Friday."], 1)) + "\n")
    vault = str(tmp_path / "vault")
    for args in (("init", "--owner", "Alex"), ("import", str(diary))):
        proc, _ = _heavy_modules("--vault", vault, *args, "--json")
        assert proc.returncode == 0, proc.stderr
    for args in (("search", "where are my keys"), ("moments",), ("ask", "what did the dentist find?")):
        proc, heavy = _heavy_modules("--vault", vault, *args, "--json")
        assert proc.returncode == 0, proc.stderr
        assert heavy == [], f"`sideload {args[0]}` imported {heavy}"
        if args[0] == "search":
            assert "car keys" in json.loads(proc.stdout)["results"][0]["text"]
