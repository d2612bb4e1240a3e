"""`sideload storage` and the retention policy, on a generated month of real (small) footage: what
the plan says before, the disk before and after consolidation applies it, and every moment still
opening at its second on the file it now points at."""
from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from fakes import fake_context
from lifelog_import.probe import probe
from lifelog_import.timeinfo import wall_seconds
from sideload.jobs import JobContext
from sideload.learn import consolidate
from sideload.lifecycle import retention, storage
from sideload.lifecycle.storage import dir_size
from sideload.store import writes
from sideload.store.moments import Moment, make_moment_id

CLIP_S = 3
STARTS = (0.0, 1.0, 2.0)  # three scenes a clip; the last opens a second before the end


def _clip(path: Path, seed: int) -> Path:
    """A few seconds of camera-like footage at a camera-like bitrate (test pattern and a tone)."""
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=size=480x270:rate=25:duration={CLIP_S}", "-f", "lavfi", "-i",
                    f"sine=frequency={300 + 40 * seed}:duration={CLIP_S}", "-c:v", "libx264", "-preset", "ultrafast",
                    "-crf", "8", "-c:a", "aac", "-b:a", "192k", "-threads", "1", "-shortest", str(path)], check=True)
    return path


@pytest.fixture(scope="module")
def footage(tmp_path_factory) -> bytes:
    return _clip(tmp_path_factory.mktemp("footage") / "base.mp4", 0).read_bytes()


def _variant(footage: bytes, path: Path, n: int) -> Path:
    """The same footage as another file: a few bytes after the movie make another content hash, and
    players ignore them (made once and copied: encoding each clip cost more than the test itself)."""
    path.write_bytes(footage + f"clip {n}".encode())
    return path


def _store_clip(context, vault, path: Path, when: datetime, inside: bool) -> None:
    """One clip into the catalogue through the store's own write (as an import stores a finished file),
    with a keyframe for each scene: the pipeline's models are not what this test is about."""
    import hashlib

    content_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    stored = path
    if inside:  # copy_originals: the vault holds the original
        stored = vault.paths.original_copy(content_hash, ".mp4")
        stored.parent.mkdir(parents=True, exist_ok=True)
        path.rename(stored)
    moments = []
    for i, s in enumerate(STARTS):
        at = when + timedelta(seconds=s)
        kf = vault.paths.keyframe_file(content_hash, int(s * 1000))
        kf.parent.mkdir(parents=True, exist_ok=True)
        kf.write_bytes(b"\xff\xd8 keyframe")
        moments.append(Moment("scene", s, min(s + 1.0, CLIP_S), at.isoformat(timespec="seconds"), wall_seconds(at),
                              wall_seconds(at) + 1.0, at.date().isoformat(), caption=f"scene {i}",
                              keyframe=str(kf.relative_to(vault.paths.root)),
                              moment_id=make_moment_id(content_hash, "scene", s, i)))
    task = SimpleNamespace(
        path=path, content_hash=content_hash, importer=SimpleNamespace(name="video"), duration=float(CLIP_S),
        warnings=[], moments=moments,
        source=SimpleNamespace(media_kind="video", meta={}, clock=SimpleNamespace(start=when, source="container")))
    with vault.transaction() as tx:
        writes.store_file(tx, task, stored, stored.stat(), "")


@pytest.fixture
def month(tmp_path, home, footage):
    """Six clips over a month that ended about two months ago; one kept outside the vault."""
    context = fake_context(tmp_path / "vault")
    now = datetime.now().replace(microsecond=0)
    first = now - timedelta(days=105)
    with context.init() as v:
        for i in range(6):
            when = first + timedelta(days=6 * i, hours=i)
            _store_clip(context, v, _variant(footage, tmp_path / f"GX01{i:04d}.MP4", i), when, inside=i != 0)
    return context, now


def _disk(context, outside: Path) -> int:
    return dir_size(context.vault_dir / "originals") + sum(p.stat().st_size for p in outside.glob("*.MP4"))


def _cli(capsys, *args: str) -> dict:
    """The command line in this process (its documents are what is tested here, not its start-up)."""
    from sideload import cli

    capsys.readouterr()
    assert cli.main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_retention_reduces_old_footage_and_every_moment_still_opens_at_its_second(month, tmp_path, capsys):
    context, now = month
    with context.open(write=True) as v:
        v.settings.set("retention_originals_months", 3)
        v.settings.set("retention_action", "reduce")
        v.settings.save()
        before = storage.report(v)
        plan = before["retention_plan"]
        moments_before = {m["moment_id"]: m for m in v.moments()}
    # the plan says what would happen, and nothing happened
    cutoff = datetime.fromisoformat(plan["cutoff"])
    old = [m for m in moments_before.values() if datetime.fromisoformat(m["started_at"]) < cutoff]
    assert plan["active"] and 0 < len(plan["files"]) < 6 and plan["bytes_freed_estimate"] > 0
    assert len(plan["files"]) + 1 == len({m["source"] for m in old})  # all old but the one outside the vault
    assert [s["reason"] for s in plan["skipped"]] == ["kept outside the vault: never touched without "
                                                      "retention_allow_delete"]
    assert all(Path(f["path"]).is_file() for f in plan["files"])
    assert before["kinds"]["video"]["files"] == 6 and before["projection"]["bytes_with_retention"] < \
        before["projection"]["bytes"]
    from ui.jobs_view import retention_text  # the app's Jobs view shows the plan before it acts

    with context.open() as v:
        line = retention_text(v)
    assert f"will reduce {len(plan['files'])} original video(s) recorded before {plan['cutoff'][:10]}" in line
    cli_plan = _cli(capsys, "--vault", str(context.vault_dir), "storage", "--plan")["retention_plan"]
    assert [f["path"] for f in cli_plan["files"]] == [f["path"] for f in plan["files"]]

    disk_before = _disk(context, tmp_path)
    with context.open(write=True) as v:  # the night's step, as consolidation runs it
        report = consolidate.run(v, context.hub(v.settings), JobContext(), only={"retention"})
    step = next(s for s in report["steps"] if s["name"] == "retention of originals")
    done = step["result"]
    assert step["status"] == "done" and done["files"] == len(plan["files"]) and not done["failed"]
    assert any("retention:" in line for line in report["learnt"])
    disk_after = _disk(context, tmp_path)
    with capsys.disabled():  # the figures of the run, for whoever reads the test's output (-s)
        print(f"\nretention on {len(plan['files'])} of 6 clips: originals {disk_before:,} -> {disk_after:,} bytes "
              f"({done['bytes_freed']:,} freed; the plan estimated {plan['bytes_freed_estimate']:,})")
    assert disk_after < disk_before and disk_before - disk_after == done["bytes_freed"]

    with context.open() as v:
        after = storage.report(v)
        moments_after = {m["moment_id"]: m for m in v.moments()}
    assert moments_after.keys() == moments_before.keys()
    reduced = {m["source"] for m in moments_after.values() if "/originals/reduced/" in m["source"]}
    assert len(reduced) == len(plan["files"]) and after["kinds"]["reduced"]["files"] == len(plan["files"])
    for f in plan["files"]:
        assert not Path(f["path"]).exists()  # the vault's own copy was replaced
    assert (tmp_path / "GX010000.MP4").is_file()  # the original outside the vault was never touched
    probed = {src: probe(Path(src)) for src in {m["source"] for m in moments_after.values()}}
    for mid, m in moments_after.items():
        src, info = Path(m["source"]), probed[m["source"]]
        assert info.duration >= m["end_s"] and info.has_video and info.has_audio, (m, info)
        if src.as_posix() not in reduced:
            assert m == moments_before[mid]  # an untouched file: the same moment on the same file
            continue
        assert info.height <= 360 and m["start_s"] == moments_before[mid]["start_s"]
        frame = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-ss", str(m["start_s"]), "-i", str(src),
                                "-frames:v", "1", "-f", "null", "-"], capture_output=True)
        assert frame.returncode == 0 and not frame.stderr, frame.stderr  # it plays at its second
    assert all((context.vault_dir / "derived" / "keyframes").rglob("*.jpg"))
    # the JSON of `moments` points at the reduced copy; a second night has nothing left to do
    listed = _cli(capsys, "--vault", str(context.vault_dir), "moments")["moments"]
    assert {m["source"] for m in listed} >= reduced
    with context.open(write=True) as v:
        assert retention.apply(v)["files"] == 0 and retention.plan(v)["files"] == []


def test_delete_needs_the_second_setting_and_a_referenced_original_is_never_reduced_without_it(month, tmp_path):
    context, now = month
    with context.open(write=True) as v:
        v.settings.set("retention_originals_months", 1)
        v.settings.set("retention_action", "delete")
        plan = retention.plan(v)
        assert not plan["active"] and "retention_allow_delete" in plan["note"]
        assert retention.apply(v)["files"] == 0
        v.settings.set("retention_allow_delete", True)
        plan = retention.plan(v)
        assert plan["active"] and len(plan["files"]) == 6 and any(not f["inside_vault"] for f in plan["files"])
        done = retention.apply(v)
        assert done["files"] == 6 and done["bytes_after"] == 0
        assert not (tmp_path / "GX010000.MP4").exists() and not list((context.vault_dir / "originals").rglob("*.mp4"))
        # the moments stay, with their words and keyframes; they say where the file was
        doc = storage.report(v)
        assert len(v.moments()) == 18 and doc["missing_originals"] == [] and "video" not in doc["kinds"]
    assert json.dumps(doc)
