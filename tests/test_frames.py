"""Keyframes from only the frames needed, and what a frame shows."""
import numpy as np
import pytest
from PIL import Image

from lifelog_import.probe import probe
from models.frames import FrameDescriber, all_frames, looks_like_text, pick_keyframes, sample_frames

pytestmark = pytest.mark.slow


def test_scene_changes_pick_keyframes_from_key_frames_only(sample_day):
    clip = sample_day / "bodycam" / "2026-03-02" / "20260302_074500.mp4"  # 12 s testsrc2, then 12 s bars
    info = probe(clip, count_keyframes=True)
    assert info.keyframes and info.keyframes < 20
    samples = list(sample_frames(clip, 320, 180, info.duration, keyframe_count=info.keyframes))
    every = sum(1 for _ in all_frames(clip, 160, 90))
    assert len(samples) == info.keyframes and len(samples) * 10 <= every  # a tenth of the frames decoded
    kfs = pick_keyframes(iter(samples), duration=info.duration, min_gap=3, max_gap=60, threshold=0.12)
    times = [k.t for k in kfs]
    assert times[0] == 0.0
    assert any(11.0 <= t <= 14.1 for t in times), times  # the cut to colour bars at 12 s
    assert all(b - a >= 3 for a, b in zip(times, times[1:]))
    assert kfs[-1].scene_end == pytest.approx(info.duration)


def test_static_footage_still_gets_a_keyframe_every_max_gap(sample_day):
    clip = sample_day / "DCIM" / "100GOPRO" / "GP010001.MP4"  # 8 s of one colour
    info = probe(clip, count_keyframes=True)
    kfs = pick_keyframes(sample_frames(clip, 160, 90, info.duration, keyframe_count=info.keyframes),
                         duration=info.duration, min_gap=1, max_gap=2, threshold=0.5)
    assert len(kfs) >= 3


def test_sign_text_is_read_and_faces_are_counted(sample_day, shared_data):
    describer = FrameDescriber(ocr_mode="auto")
    sign = np.asarray(Image.open(sample_day / "photos" / "IMG_0042.jpg").convert("RGB"))
    facts = describer.describe(sign)
    assert "LIBRARY" in facts.text.upper().replace(" ", "")
    assert facts.colour == "green" and facts.faces == 0
    assert "text:" in facts.caption()
    plain = np.full((360, 640, 3), 90, np.uint8)
    assert not looks_like_text(plain[..., 0])
    assert describer.describe(plain).text == ""
    # a real first-person clip with a face in it
    clip = shared_data / "video" / "gen2_test_face_video.mp4"
    info = probe(clip)
    frames = list(all_frames(clip, 1280, 960))[::3]
    assert frames, "the real clip decodes"
    assert max(describer.describe(f).faces for _, f in frames) >= 1


def test_what_is_in_view_is_named_on_real_first_person_clips(shared_data):
    """The classifier on real head-worn footage: a meal at a table, a car park."""
    from models.objects import ObjectClassifier

    describer = FrameDescriber(ocr_mode="off", classifier=ObjectClassifier(threads=2))
    meal = list(all_frames(shared_data / "video" / "gen2_test_face_video.mp4", 1280, 960))[::4]
    facts = [describer.describe(f) for _, f in meal]
    captions = [f.caption() for f in facts]
    assert sum("dining table" in c for c in captions) * 2 >= len(captions), captions
    assert any("a meal" in c and "face" in c for c in captions), captions
    labels = facts[0].as_meta()["labels"]  # stored per keyframe, with scores, best first
    assert labels and all(0.08 <= p <= 1 for _, p in labels) and labels == sorted(labels, key=lambda x: -x[1])
    assert facts[0].as_meta()["describer"].startswith("efficientnet-lite0 (ImageNet)")
    park = list(all_frames(shared_data / "video" / "gen2_test_lp_video.mp4", 1280, 960))[::8]
    assert any("a car" in describer.describe(f).caption() for _, f in park)
