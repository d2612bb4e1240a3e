"""The research dataset: what leaves the vault (every byte scanned), blurred faces, identical
re-exports, and merging volunteers' exports (a corrupt one refused).

The vaults are built through the real import pipeline with the fast tier's fake embedder, and the
real frame describer (OpenCV's face cascade, no OCR) for a photo of a real face."""
from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import numpy as np
import pytest

from conftest import SHARED_DATA, cli_json
from fakes import FakeHub
from sideload.context import AppContext
from sideload.errors import SideloadError
from sideload.jobs import JobContext

OWNER = "Alex Mercer"
CONSENTING = "Ruth Tangent"
CHAT = """\
[02/03/2026, 09:00:00] Alex Mercer: Morning both! I am cycling to the office today.
[02/03/2026, 09:01:00] Samantha Quill: My locker code is PERIWINKLE 4471, keep it to yourself.
[02/03/2026, 09:02:00] Ruth Tangent: The cello rehearsal moved to the TANGERINE hall on Friday.
[02/03/2026, 09:03:00] Alex Mercer: Noted, see you both at lunch.
"""
DIARY = [
    {"date": "2026-03-01", "text": "Baked bread in the morning and read a book about glaciers."},
    {"date": "2026-03-03", "text": "Told nobody about the MARMALADE ultimatum at work."},  # made private
    {"date": "2026-03-04", "text": "Walked past the FORGOTTENLIGHTHOUSE twice before dawn."},  # forgotten
    {"date": "2026-03-05", "author": OWNER, "text": "Wrote the grant letter by hand."},  # the owner, by name
]
SECRETS = [b"PERIWINKLE", b"4471", b"Quill", b"Samantha", b"MARMALADE", b"FORGOTTENLIGHTHOUSE", b"Mercer"]


def _context(root: Path) -> AppContext:
    from models.frames import FrameDescriber

    def hub(settings):
        h = FakeHub(settings)
        h.frames = FrameDescriber(ocr_mode="off")  # the real face cascade; no model is loaded
        h.vision = None  # no vision model set, as by default
        return h

    return AppContext(root, hub_factory=hub, warn=lambda text: None)


def _face_photo(folder: Path) -> Path:
    """A frame of the real head-worn clip, cropped around the face the cascade finds in it."""
    clip = SHARED_DATA / "video" / "gen2_test_face_video.mp4"
    if not clip.is_file():
        pytest.skip(f"the real sample clip is not here ({clip})")
    out = folder / "IMG_20260302_101500.jpg"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(clip), "-frames:v", "1", "-vf",
                    "scale=1280:960,crop=480:360:360:270", "-q:v", "2", str(out)], check=True)
    return out


def _build(root: Path, inputs: list[Path], *, private: str | None = None, forget: str | None = None,
           consenting: list[str] = ()) -> AppContext:
    from sideload.dataset.pseudonym import ensure_secret
    from sideload.lifecycle.forget import forget as forget_moments
    from sideload.lifecycle.privacy import mark

    context = _context(root)
    with context.init() as v:
        v.settings.set("owner_name", OWNER)
        v.settings.set("dataset_consenting_people", list(consenting))
        v.settings.save()
        result = context.import_session(v, JobContext()).run(inputs)
        assert result.failed == [], result.failed
        by_text = {m["text"]: m["moment_id"] for m in v.moments()}
        if private:
            mark(v, "moment", [next(i for t, i in by_text.items() if private in t)])
        if forget:
            forget_moments(v, moment_ids=[next(i for t, i in by_text.items() if forget in t)])
        ensure_secret(v)
    return context


def _export(context: AppContext, out: Path, **kw) -> dict:
    from sideload.dataset.export import export
    from sideload.dataset.pseudonym import secret_of

    with context.open() as v:
        return export(v, out, secret=secret_of(v), **kw)


def _members(folder: Path) -> dict[str, bytes]:
    """Every file of an export, and every member of every shard, by name."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            out[str(p.relative_to(folder))] = p.read_bytes()
            if p.suffix == ".tar":
                with tarfile.open(p) as tar:
                    for m in tar.getmembers():
                        out[f"{p.name}/{m.name}"] = tar.extractfile(m).read()
    return out


def _records(folder: Path) -> list[dict]:
    return [json.loads(b) for n, b in sorted(_members(folder).items()) if n.endswith(".json") and "/" in n
            and n.split("/")[0].endswith(".tar")]


@pytest.fixture(scope="module")
def volunteer(tmp_path_factory, home):
    work = tmp_path_factory.mktemp("dataset")
    inputs = work / "inputs"
    inputs.mkdir()
    (inputs / "WhatsApp Chat with Samantha Quill.txt").write_text(CHAT, encoding="utf-8")
    (inputs / "diary.jsonl").write_text("".join(json.dumps(e) + "\n" for e in DIARY), encoding="utf-8")
    _face_photo(inputs)
    context = _build(work / "vault", [inputs], private="MARMALADE", forget="FORGOTTENLIGHTHOUSE",
                     consenting=[" ruth  TANGENT "])
    out = work / "export"
    summary = _export(context, out)
    return {"context": context, "out": out, "summary": summary, "work": work}


def test_nothing_private_forgotten_or_unconsented_is_in_any_byte(volunteer):
    out, summary = volunteer["out"], volunteer["summary"]
    files = _members(out)
    assert {"manifest.json", "README.md", "shard-000000.tar"} <= set(files)
    for needle in SECRETS + [str(volunteer["work"]).encode(), b"WhatsApp Chat", b"diary.jsonl"]:
        found = [name for name, data in files.items() if needle in data]
        assert not found, f"{needle!r} leaked into {found}"
    records = _records(out)
    texts = [r["text"] for r in records]
    # the owner's words and the consenting person's are kept; the other's are a marker
    assert any("cycling to the office" in t for t in texts) and any("TANGERINE" in t for t in texts)
    assert next(r for r in records if "grant letter" in r["text"])["speaker"] == "owner"
    assert "[someone else spoke]" in texts and any("glaciers" in t for t in texts)
    ruth = next(r for r in records if "TANGERINE" in r["text"])
    assert ruth["speaker"] == "other" and ruth["speaker_id"].startswith("p") and not ruth["redacted"]
    marker = next(r for r in records if r["text"] == "[someone else spoke]")
    assert marker["speaker"] == "other" and marker["speaker_id"] is None and marker["redacted"]
    assert {r["speaker"] for r in records if r["kind"] == "text"} == {"owner", "other"}
    assert summary["left_out"] == {"private": 1} and summary["redacted_words"] == 1
    assert summary["consented_words"] == 1 and summary["moments"] == len(records) == 7
    assert next(r for r in records if "cycling" in r["text"])["activities"] == ["work", "exercise"]
    # one pseudonym for the volunteer, stable, and never the owner's name
    assert {r["volunteer"] for r in records} == {summary["volunteer"]} and summary["volunteer"].startswith("v")


def test_the_manifest_checks_out_and_the_card_says_how_it_was_redacted(volunteer):
    from sideload.dataset.shards import sha256_of

    out = volunteer["out"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == "sideload-dataset" and manifest["layout"] == "webdataset"
    assert [s["samples"] for s in manifest["shards"]] == [7]
    for s in manifest["shards"] + [manifest["card"]]:
        assert sha256_of(out / s["name"]) == s["sha256"]
    assert manifest["counts"]["by_kind"] == {"photo": 1, "text": 6}
    card = (out / "README.md").read_text()
    for words in ("someone else spoke", "dataset_consenting_people", "blurred", "private", "LICENCE"):
        assert words in card


def test_a_face_in_a_keyframe_is_blurred(volunteer):
    import cv2

    from sideload.dataset.faces import FaceBlur

    files = _members(volunteer["out"])
    [(name, exported)] = [(n, b) for n, b in files.items() if n.endswith(".jpg")]
    record = json.loads(files[name[:-4] + ".json"])
    assert record["kind"] == "photo" and record["faces_blurred"] >= 1 and record["frame"]["faces"] >= 1
    with volunteer["context"].open() as v:
        kept = (v.paths.root / v.db.execute("SELECT keyframe FROM moments WHERE kind = 'photo'").fetchone()[0]).read_bytes()
    blur = FaceBlur()

    def gray(data: bytes) -> np.ndarray:
        return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)

    before, after = gray(kept), gray(exported)
    boxes = blur.frontal.detectMultiScale(before, scaleFactor=1.15, minNeighbors=5, minSize=(24, 24))
    assert len(boxes) >= 1, "the original keyframe shows a face the describer's detector finds"
    assert len(blur.frontal.detectMultiScale(after, scaleFactor=1.15, minNeighbors=5, minSize=(24, 24))) == 0
    for x, y, w, h in boxes:
        sharp_before = cv2.Laplacian(before[y:y + h, x:x + w], cv2.CV_64F).var()
        sharp_after = cv2.Laplacian(after[y:y + h, x:x + w], cv2.CV_64F).var()
        assert sharp_after < 0.1 * sharp_before, (sharp_before, sharp_after)
    # away from the face the picture is the same picture
    assert abs(float(before[:, :60].mean()) - float(after[:, :60].mean())) < 3


def test_shards_roll_over_and_are_the_same_bytes_every_time(tmp_path):
    from sideload.dataset.shards import ShardWriter

    def write(folder: Path) -> list[dict]:
        folder.mkdir()
        writer = ShardWriter(folder, max_samples=2)
        for i in range(5):
            writer.add(f"m{i:03d}", {"json": json.dumps({"i": i}).encode(), "jpg": bytes([i]) * 700})
        return writer.close()

    a, b = write(tmp_path / "a"), write(tmp_path / "b")
    assert a == b and [s["samples"] for s in a] == [2, 2, 1]
    assert all((tmp_path / "a" / s["name"]).read_bytes() == (tmp_path / "b" / s["name"]).read_bytes() for s in a)
    with tarfile.open(tmp_path / "a" / "shard-000000.tar") as tar:
        assert tar.getnames() == ["m000.jpg", "m000.json", "m001.jpg", "m001.json"]
        m = tar.getmembers()[0]
        assert (m.mtime, m.uid, m.gid, m.uname, m.gname, m.mode) == (0, 0, 0, "", "", 0o644)


def test_the_command_line_exports_the_same_bytes_and_an_old_export_is_replaced_whole(volunteer, tmp_path):
    from sideload.cli import main

    vault = str(volunteer["context"].vault_dir)
    again = tmp_path / "again"
    doc = cli_json("--vault", vault, "dataset", "export", "--out", str(again))  # another process, same bytes
    assert doc["volunteer"] == volunteer["summary"]["volunteer"] and doc["moments"] == 7 and doc["shards"] == 1
    first = _members(volunteer["out"])
    assert _members(again) == first
    (again / "shard-000009.tar").write_bytes(b"stale")  # as if an earlier export had held more
    _export(volunteer["context"], again)
    assert _members(again) == first
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "holiday.txt").write_text("not an export")
    with pytest.raises(SideloadError, match="not empty"):
        _export(volunteer["context"], tmp_path / "mine")
    assert main(["--vault", vault, "dataset"]) == 2  # an action is needed


def test_merge_gives_a_split_per_volunteer_and_refuses_a_corrupt_input(volunteer, tmp_path):
    from sideload.dataset.merge import merge

    diary = tmp_path / "other.jsonl"
    diary.write_text(json.dumps({"date": "2026-04-01", "text": "Sailed to the island with my brother."}) + "\n")
    second = _export(_build(tmp_path / "v2", [diary]), tmp_path / "second")
    first = volunteer["summary"]
    assert second["volunteer"] != first["volunteer"]

    doc = merge([volunteer["out"], tmp_path / "second", volunteer["out"]], tmp_path / "merged")
    assert doc["volunteers"] == 2 and doc["moments"] == first["moments"] + 1
    assert doc["duplicates"] == [str(volunteer["out"])]
    manifest = json.loads((tmp_path / "merged" / "manifest.json").read_text())
    assert manifest["format"] == "sideload-dataset-merged"
    assert sorted(s["volunteer"] for s in manifest["splits"]) == sorted([first["volunteer"], second["volunteer"]])
    for s in manifest["splits"]:
        split = tmp_path / "merged" / s["path"]
        assert sorted(p.name for p in split.glob("*.tar")) == [x["name"] for x in s["shards"]]
    assert (tmp_path / "merged" / first["volunteer"] / "shard-000000.tar").read_bytes() == \
        (volunteer["out"] / "shard-000000.tar").read_bytes()

    bad = tmp_path / "bad"
    shutil.copytree(tmp_path / "second", bad)
    shard = bad / "shard-000000.tar"
    data = bytearray(shard.read_bytes())
    data[600] ^= 0x01
    shard.write_bytes(bytes(data))
    with pytest.raises(SideloadError) as err:
        merge([volunteer["out"], bad], tmp_path / "never")
    assert err.value.kind == "corrupt" and str(bad) in err.value.message and "shard-000000.tar" in err.value.message
    assert not (tmp_path / "never").exists()


def test_merge_on_the_command_line_names_a_corrupt_input(volunteer, tmp_path, capsys):
    from sideload.cli import main

    shutil.copytree(volunteer["out"], tmp_path / "in")
    assert main(["dataset", "merge", str(tmp_path / "in"), "--out", str(tmp_path / "m"), "--json"]) == 0
    merged = json.loads(capsys.readouterr().out)
    assert merged["volunteers"] == 1 and merged["splits"][0]["volunteer"] == volunteer["summary"]["volunteer"]
    (tmp_path / "in" / "README.md").write_text("edited")
    assert main(["dataset", "merge", str(tmp_path / "in"), "--out", str(tmp_path / "m2"), "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["kind"] == "corrupt" and "README.md" in error["message"] and str(tmp_path / "in") in error["message"]


@pytest.mark.slow
def test_a_merge_on_ray_gives_the_same_dataset(volunteer, tmp_path):
    pytest.importorskip("ray")
    from sideload.dataset.merge import merge
    from sideload.dataset.on_ray import ray_mapper

    shutil.copytree(volunteer["out"], tmp_path / "in")
    local = merge([tmp_path / "in"], tmp_path / "local")
    with ray_mapper(None) as mapper:  # a runtime started here, and stopped after
        on_ray = merge([tmp_path / "in"], tmp_path / "ray", mapper=mapper)
        (tmp_path / "in" / "shard-000000.tar").write_bytes(b"damaged")
        with pytest.raises(SideloadError, match="shard-000000.tar"):
            merge([tmp_path / "in"], tmp_path / "never", mapper=mapper)
    assert {**on_ray, "out": None} == {**local, "out": None}
    assert _members(tmp_path / "ray") == _members(tmp_path / "local")
