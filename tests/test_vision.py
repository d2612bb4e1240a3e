"""A user's own vision model: a GGUF pair the test generates (tests/tiny_vision_gguf.py: random
weights in the real layouts) goes through llama-cpp-python's multimodal handler, and the sentence it
writes is stored on the scene moment and found by search. The words are gibberish (random weights);
what is proven is the path: settings, loading, which frames, the caption, the store, the index."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from models.frames import Keyframe
from sideload.errors import SideloadError
from sideload.jobs import JobContext


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[Path, Path]:
    from tests.tiny_vision_gguf import write_pair

    return write_pair(tmp_path_factory.mktemp("tiny-vision"))


def _frame(colour: tuple[int, int, int], t: float) -> Keyframe:
    return Keyframe.from_frame(t, np.full((72, 128, 3), colour, np.uint8), 0.0)


def test_one_frame_per_scene_at_most_the_limit_spread_over_the_file():
    from models.vision import frames_to_caption

    red, blue, green, white = (200, 30, 30), (30, 30, 200), (30, 200, 30), (250, 250, 250)
    kfs = [_frame(c, t) for t, c in enumerate([red, red, blue, blue, green, white])]
    assert frames_to_caption(kfs, limit=10, threshold=0.12) == [0, 2, 4, 5]  # a static scene once
    assert frames_to_caption(kfs, limit=2, threshold=0.12) == [0, 5]  # the first and the last scene
    assert frames_to_caption(kfs, limit=3, threshold=0.12) == [0, 4, 5]


def test_settings_take_only_gguf_files(tmp_path, home):
    from sideload.store.vault import Vault

    junk = tmp_path / "mmproj.gguf"
    junk.write_bytes(b"not a model")
    with Vault.init(tmp_path / "v") as v:
        with pytest.raises(SideloadError, match="vision_mmproj.*not a GGUF"):
            v.settings.set("vision_mmproj", str(junk))
        with pytest.raises(SideloadError, match="vision_model.*no such file"):
            v.settings.set("vision_model", str(tmp_path / "nowhere.gguf"))


@pytest.mark.slow
def test_a_bad_pair_is_an_error_naming_the_setting(pair, tmp_path, home):
    from models.hub import ModelHub
    from sideload.store.vault import Vault
    from tests.tiny_vision_gguf import write_projector

    model, mmproj = pair
    with Vault.init(tmp_path / "v") as v:
        s = v.settings
        s.set("threads", 1)
        s.set("vision_model", str(model))
        with pytest.raises(SideloadError, match="setting 'vision_mmproj' is empty"):
            ModelHub(s).vision  # noqa: B018 - loading is the point
        # the text model where its projector belongs: llama.cpp's clip loader refuses it, and says why
        s.set("vision_mmproj", str(model))
        with pytest.raises(SideloadError, match="setting 'vision_mmproj'.*could not be loaded as the vision projector"):
            ModelHub(s).vision  # noqa: B018
        narrow = write_projector(tmp_path / "narrow-mmproj.gguf", text_dim=32)  # the model is 64 wide
        s.set("vision_mmproj", str(narrow))
        with pytest.raises(SideloadError, match=r"setting 'vision_mmproj'.*mismatch between text model \(n_embd = 64\)"):
            ModelHub(s).vision  # noqa: B018
        s.set("vision_model", str(mmproj))
        s.set("vision_mmproj", str(mmproj))
        with pytest.raises(SideloadError, match="setting 'vision_model'.*could not be loaded"):
            ModelHub(s).vision  # noqa: B018
        s.set("vision_model", "")
        s.set("vision_mmproj", "")
        assert ModelHub(s).vision is None


@pytest.mark.slow
def test_a_model_with_its_own_chat_template_is_prompted_in_it(pair, tmp_path):
    from models.vision import VisionCaptioner
    from tests.tiny_vision_gguf import CHAT_TEMPLATE, write_text_model

    model = write_text_model(tmp_path / "templated.gguf", chat_template=CHAT_TEMPLATE)
    captioner = VisionCaptioner(model, pair[1], threads=1)
    try:
        assert captioner.format == "model's chat template"
        assert captioner.caption(np.full((180, 320, 3), (200, 30, 30), np.uint8))
    finally:
        captioner.close()


def _three_scene_video(path: Path) -> Path:
    """12 s: red, blue, then a test pattern, 4 s each, a key frame every second."""
    parts = [f"color=c={c}:s=320x180:r=25:d=4" for c in ("red", "blue")] + ["testsrc=s=320x180:r=25:d=4"]
    inputs = [a for p in parts for a in ("-f", "lavfi", "-i", p)]
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *inputs, "-filter_complex",
                    "[0:v][1:v][2:v]concat=n=3:v=1:a=0", "-c:v", "libx264", "-g", "25", "-pix_fmt", "yuv420p",
                    str(path)], check=True)
    return path


@pytest.mark.slow
def test_keyframes_are_captioned_by_the_users_vision_model_stored_and_found(pair, tmp_path, home):
    """The real ModelHub (OpenCV describer, the vision engine through llama.cpp's mtmd); only the
    embedding model is the fake one, so the test stays fast and search is asked for words (FTS5)."""
    from models.hub import ModelHub
    from sideload.context import AppContext
    from sideload.recall.search import SearchRequest
    from tests.fakes import FakeEmbedder

    class Hub(ModelHub):
        embedder = FakeEmbedder()

    video = _three_scene_video(tmp_path / "walk.mp4")
    context = AppContext(tmp_path / "v", hub_factory=Hub, warn=lambda text: None)
    with context.init() as v:
        # one thread: on two busy cores a second one spun and made each caption ten times slower
        for name, value in (("threads", 1), ("vision_model", pair[0]), ("vision_mmproj", pair[1]), ("vision_frames", 2),
                            ("frame_objects", False), ("ocr", "off"), ("keyframe_max_gap_s", 1.5)):
            v.settings.set(name, str(value) if isinstance(value, Path) else value)
        result = context.import_session(v, JobContext()).run([video])
        assert not result.failed, result.failed
        scenes = [m for m in v.moments() if m["kind"] == "scene"]
        meta = {r[0]: json.loads(r[1]) for r in v.db.execute("SELECT moment_id, meta FROM moments")}
        for m in scenes:
            m["meta"] = meta[m["moment_id"]]
        hub = context.hub(v.settings)
        assert hub.vision is hub.vision, "one engine, loaded once"
        searcher = context.searcher(v)
        captioned = [m for m in scenes if m["meta"].get("vision_caption")]
        word = next(iter(re.findall(r"[a-z]{4,}", (captioned or scenes)[0]["caption"].lower())), "")
        hits = searcher.search(SearchRequest(text=word, mode="keyword", limit=10)) if word else []
    context.close()
    captioned = [m for m in scenes if m["meta"].get("vision_caption")]
    # one per scene (static keyframes of the red and blue scenes are not captioned), at most two
    assert len(scenes) >= 4 and len(captioned) == 2, [(m["start_s"], m["meta"]) for m in scenes]
    assert captioned[0]["start_s"] == 0.0 and captioned[1]["start_s"] >= 7.0
    for m in scenes:
        by_vision = m["meta"]["describer"].startswith("vision model tiny-vision.gguf + ")
        assert by_vision == bool(m["meta"].get("vision_caption")), m["meta"]
    m = captioned[0]
    sentence = m["meta"]["vision_caption"]
    assert sentence and m["caption"].startswith(sentence)  # beside what else is in view
    assert word and word in sentence.lower()
    assert m["moment_id"] in {h["moment_id"] for h in hits}, (word, hits)
