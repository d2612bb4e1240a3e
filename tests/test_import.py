"""The import pipeline end to end, as real processes on real files."""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, cli_json, run_cli

pytestmark = pytest.mark.slow

# CLI.md's moment, extended with the speaker's name (a chat partner's, where it is known)
MOMENT_FIELDS = {"moment_id", "source", "kind", "start_s", "end_s", "started_at", "speaker", "speaker_name", "text",
                 "caption", "time_source"}


def _moments(vault, **filters):
    args = ["--vault", str(vault), "moments"]
    for k, v in filters.items():
        args += [f"--{k}", str(v)]
    return cli_json(*args)["moments"]


def _key(m):
    return (m["moment_id"], m["kind"], m["start_s"], m["end_s"], m["speaker"], m["text"], m["caption"])


def test_demo_day_becomes_timed_moments(demo_vault, sample_day, manifest):
    moments = _moments(demo_vault)
    # speech moments add the language they were transcribed in
    assert moments and all(set(m) == MOMENT_FIELDS | ({"language"} if m["kind"] == "speech" else set())
                           for m in moments)
    assert {m["language"] for m in moments if m["kind"] == "speech"} == {"en"}
    assert [m["started_at"][:10] for m in moments] == ["2026-03-02"] * len(moments)
    starts = [m["started_at"] for m in moments if len(m["started_at"]) > 10]
    by_source = {}
    for m in moments:
        by_source.setdefault(str(Path(m["source"]).relative_to(sample_day)), []).append(m)
    # speech: tight windows around what was said, the wearer told from the others
    for rel, lines in manifest["files"].items():
        speech = [m for m in by_source.get(rel, []) if m["kind"] == "speech"]
        assert len(speech) == len(lines), (rel, speech)
        for line in lines:
            hit = [m for m in speech if min(m["end_s"], line["end"]) - max(m["start_s"], line["start"]) > 0.5]
            assert len(hit) == 1, (rel, line)
            m = hit[0]
            assert m["end_s"] - m["start_s"] <= 30
            assert abs(m["start_s"] - line["start"]) < 1.5 and abs(m["end_s"] - line["end"]) < 1.5
            assert m["speaker"] == ("me" if line["who"] == "owner" else "other"), (m, line)
    # the evening clip was silence and room noise: scenes, no words
    evening = by_source["bodycam/2026-03-02/20260302_190000.mp4"]
    assert evening and {m["kind"] for m in evening} == {"scene"}
    # every video has scenes with keyframes; the first clip's cut to colour bars is found
    breakfast = [m for m in by_source["bodycam/2026-03-02/20260302_074500.mp4"] if m["kind"] == "scene"]
    assert len(breakfast) >= 2 and breakfast[0]["started_at"].startswith("2026-03-02T07:45:00")
    # GoPro: container time is local; the second chapter continues where the first ended
    gopro = by_source["DCIM/100GOPRO/GOPR0001.MP4"][0]
    chapter = by_source["DCIM/100GOPRO/GP010001.MP4"][0]
    assert gopro["started_at"] == "2026-03-02T11:02:00" and chapter["started_at"].startswith("2026-03-02T11:02:1")
    # the audio recorder's time came from its file name
    assert by_source["recorder/2026-03-02_13-15-00.m4a"][0]["started_at"].startswith("2026-03-02T13:15:0")
    # photo: EXIF time, text in the frame
    photo = by_source["photos/IMG_0042.jpg"][0]
    assert photo["kind"] == "photo" and photo["started_at"] == "2026-03-02T17:30:00"
    assert "LIBRARY" in (photo["text"] or "").upper()
    # writing: the diary page and the chat, only the owner's own lines as "me"
    chat = by_source["chats/WhatsApp Chat with Sam.txt"]
    assert [m["speaker"] for m in chat] == ["other", "me", "other"]
    assert by_source["diary/2026-03-02.md"][0]["kind"] == "text"
    assert starts == sorted(starts, key=lambda s: s[:19])
    # keyframes and thumbnails exist in the vault
    assert list((demo_vault / "derived" / "keyframes").rglob("*.jpg"))
    assert list((demo_vault / "derived" / "thumbnails").rglob("*.jpg"))


def test_filters_by_day_and_source(demo_vault, sample_day):
    assert _moments(demo_vault, day="2026-03-01") == []
    src = sample_day / "recorder" / "2026-03-02_13-15-00.m4a"
    only = _moments(demo_vault, source=src)
    assert only and {m["source"] for m in only} == {str(src)}
    bad = run_cli("--vault", str(demo_vault), "moments", "--day", "March 2nd")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


def test_importing_again_adds_nothing(demo_vault, sample_day):
    before = sorted(map(_key, _moments(demo_vault)))
    out = cli_json("--vault", str(demo_vault), "import", str(sample_day))
    assert out == {"imported": 0, "skipped": 8, "failed": [], "moments": 0, "excluded": []}
    assert sorted(map(_key, _moments(demo_vault))) == before


def test_moved_and_renamed_files_are_recognised(tmp_path, home, sample_day):
    vault = tmp_path / "v"
    run_cli("--vault", str(vault), "init", check=True)
    src = tmp_path / "in" / "2026-03-02_13-15-00.m4a"
    src.parent.mkdir()
    shutil.copy2(sample_day / "recorder" / "2026-03-02_13-15-00.m4a", src)
    first = cli_json("--vault", str(vault), "import", str(src.parent))
    assert first["imported"] == 1 and first["moments"] >= 2
    moved = tmp_path / "elsewhere" / "lunch recording.m4a"
    moved.parent.mkdir()
    src.rename(moved)
    again = cli_json("--vault", str(vault), "import", str(moved.parent))
    assert again == {"imported": 0, "skipped": 1, "failed": [], "moments": 0, "excluded": []}
    assert {m["source"] for m in _moments(vault)} == {str(moved)}


def test_real_first_person_clips_import_with_audio_and_keyframes(tmp_path, home, shared_data):
    vault = tmp_path / "v"
    run_cli("--vault", str(vault), "init", check=True)
    out = cli_json("--vault", str(vault), "import", *map(str, sorted((shared_data / "video").glob("*.mp4"))))
    assert out["imported"] == 3 and out["failed"] == []
    moments = _moments(vault)
    db = sqlite3.connect(vault / "sideload.db")
    for name in ("gen2_test_lp_video.mp4", "gen2_test_face_video.mp4", "gen1_test_video.mp4"):
        mine = [m for m in moments if m["source"].endswith(name)]
        assert any(m["kind"] == "scene" for m in mine), name
        kf = db.execute("SELECT m.keyframe FROM moments m JOIN files f USING (file_id) WHERE f.path LIKE ? "
                        "AND m.kind = 'scene'", (f"%{name}",)).fetchone()[0]
        assert (vault / kf).is_file()
    # the two head-worn clips have sound, and it was decoded (VAD ran over it); the phone clip has none
    meta = dict(db.execute("SELECT path, meta FROM files").fetchall())
    assert not any("warnings" in json.loads(v) for v in meta.values())
    faces = [m for m in moments if m["source"].endswith("gen2_test_face_video.mp4") and m["kind"] == "scene"]
    assert "face" in faces[0]["caption"]
    # what is in view is named (the meal at a table), and a person's own words find it
    assert "dining table" in faces[0]["caption"], faces[0]["caption"]
    hits = cli_json("--vault", str(vault), "search", "eating at a table", "--limit", "3")["results"]
    assert hits and hits[0]["source"].endswith("gen2_test_face_video.mp4"), hits


def test_diary_jsonl_becomes_dated_text_moments(tmp_path, home, shared_data):
    vault = tmp_path / "v"
    run_cli("--vault", str(vault), "init", check=True)
    diary = tmp_path / "pepys.jsonl"
    lines = (shared_data / "diary" / "pepys_1660.jsonl").read_text(encoding="utf-8").splitlines()[:60]
    diary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = cli_json("--vault", str(vault), "import", str(diary))
    assert out["imported"] == 1 and out["moments"] == 60
    moments = _moments(vault)
    assert all(m["kind"] == "text" and m["speaker"] == "me" and m["started_at"].startswith("1660-") for m in moments)
    # dated as Pepys dated them ("Jan. 1st", "January 1659-60"), not by the edition's converted
    # calendar (1660-01-11): the entry speaks of its own day, and so does a family asking about it
    assert json.loads(lines[0])["date"] == "1660-01-11" and moments[0]["started_at"] == "1660-01-01"
    assert moments[5]["started_at"] == "1660-01-06" and _moments(vault, day="1660-01-06")


def test_bad_input_is_named_and_the_rest_imports(tmp_path, home, sample_day, shared_data):
    vault = tmp_path / "v"
    run_cli("--vault", str(vault), "init", check=True)
    d = tmp_path / "card with spaces"
    d.mkdir()
    good = d / "café día 1.m4a"
    shutil.copy(sample_day / "recorder" / "2026-03-02_13-15-00.m4a", good)
    real = (shared_data / "video" / "gen2_test_lp_video.mp4").read_bytes()
    (d / "empty.mp4").write_bytes(b"")
    (d / "truncated.mp4").write_bytes(real[: len(real) // 3])
    (d / "corrupt.mp4").write_bytes(os.urandom(50_000))
    shutil.copy(sample_day / "photos" / "IMG_0042.jpg", d / "photo-named-as-video.mp4")
    (d / "report.docx").write_bytes(b"PK\x03\x04 not really a document")
    (d / "broken-link.wav").symlink_to(d / "nowhere.wav")
    (d / "GOPR0001.THM").write_bytes(b"thumbnail")  # camera companion file: ignored, not failed
    (d / "README.txt").write_text("notes about this card")
    proc = run_cli("--vault", str(vault), "import", str(d), "--json")
    assert proc.returncode == 1, proc.stderr
    out = json.loads(proc.stdout)
    reasons = {Path(f["path"]).name: f["reason"] for f in out["failed"]}
    assert set(reasons) == {"empty.mp4", "truncated.mp4", "corrupt.mp4", "photo-named-as-video.mp4", "report.docx",
                            "broken-link.wav", "README.txt"}
    assert "no date" in reasons["README.txt"]
    assert "empty" in reasons["empty.mp4"]
    assert "truncated or corrupt" in reasons["truncated.mp4"] or "decoded" in reasons["truncated.mp4"]
    assert "corrupt" in reasons["corrupt.mp4"]
    assert "JPEG" in reasons["photo-named-as-video.mp4"] and "rename" in reasons["photo-named-as-video.mp4"]
    assert "unsupported" in reasons["report.docx"]
    assert "cannot be read" in reasons["broken-link.wav"] or "no such" in reasons["broken-link.wav"]
    assert out["imported"] == 1 and out["moments"] >= 2
    assert {m["source"] for m in _moments(vault)} == {str(good)}
    # the failures are remembered for the app, and the human output names them too
    human = run_cli("--vault", str(vault), "import", str(d))
    assert human.returncode == 1 and "truncated.mp4" in human.stdout


def _count_files(vault):
    try:
        conn = sqlite3.connect(f"file:{vault / 'sideload.db'}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT count(*) FROM files").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def _start_import(vault, folder):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "sideload.cli", "--vault", str(vault), "import", str(folder),
                             "--json", "-q"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for(proc, vault, files, timeout=300):
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        if _count_files(vault) >= files:
            return True
        time.sleep(0.05)
    return False


def _assert_same_as_clean(vault, clean_vault):
    from sideload.store.index import VectorIndex

    assert sorted(map(_key, _moments(vault))) == sorted(map(_key, _moments(clean_vault)))
    db = sqlite3.connect(vault / "sideload.db")
    assert db.execute("SELECT count(*) FROM embeddings WHERE indexed = 0").fetchone()[0] == 0
    ids = {r[0] for r in db.execute("SELECT moment_id FROM moments")}
    assert VectorIndex(vault / "index").all_ids() == ids


@pytest.mark.parametrize("kill_after_files", [1, 6])
def test_kill_9_then_import_again_equals_a_clean_import(tmp_path, home, sample_day, demo_vault, kill_after_files):
    vault = tmp_path / "v"
    run_cli("--vault", str(vault), "init", check=True)
    run_cli("--vault", str(vault), "settings", "owner_name", "Alex", check=True)
    proc = _start_import(vault, sample_day)
    try:
        assert _wait_for(proc, vault, kill_after_files), proc.stderr.read().decode() if proc.poll() is not None else "timeout"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert _count_files(vault) < 8
    out = cli_json("--vault", str(vault), "import", str(sample_day))
    assert out["failed"] == [] and out["imported"] + out["skipped"] == 8 and out["skipped"] >= kill_after_files
    _assert_same_as_clean(vault, demo_vault)


def test_ctrl_c_stops_cleanly_with_130_and_the_next_import_resumes(tmp_path, home, sample_day, demo_vault):
    vault = tmp_path / "v"
    run_cli("--vault", str(vault), "init", check=True)
    run_cli("--vault", str(vault), "settings", "owner_name", "Alex", check=True)
    proc = _start_import(vault, sample_day)
    try:
        assert _wait_for(proc, vault, 2)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)
        err = proc.stderr.read().decode()
    finally:
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == 130, err
    assert "cancelled" in err and "resume" in err
    done = _count_files(vault)
    assert 2 <= done < 8
    out = cli_json("--vault", str(vault), "import", str(sample_day))
    assert out["skipped"] == done and out["imported"] == 8 - done
    _assert_same_as_clean(vault, demo_vault)


def test_a_recording_in_two_languages_gives_moments_in_each(tmp_path, home):
    """A visit abroad: English, then Spanish, then English again, in one recording; each speech moment
    is transcribed in its own language and says which."""
    from sideload.demo.sampleday import SR, speak

    pause = np.zeros(int(1.5 * SR), np.float32)
    lines = [("en-us", "Good morning. I am going to the market to buy some bread and vegetables for dinner."),
             ("es", "Buenos días. Quiero comprar pan y verduras para la cena de esta noche, por favor."),
             ("en-us", "That was lovely. The baker gave me a free loaf because it was the end of the day.")]
    audio = np.concatenate([x for voice, text in lines for x in (speak(text, voice), pause)])
    clip = tmp_path / "in" / "20260302_101500.wav"
    clip.parent.mkdir()
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "f32le", "-ar", str(SR), "-ac", "1", "-i", "-",
                    str(clip)], input=audio.tobytes(), check=True)
    vault = tmp_path / "v"
    run_cli("--vault", str(vault), "init", check=True)
    run_cli("--vault", str(vault), "settings", "whisper_bundled", "base", check=True)  # multilingual
    assert cli_json("--vault", str(vault), "import", str(clip))["imported"] == 1
    speech = [m for m in _moments(vault) if m["kind"] == "speech"]
    assert [m["language"] for m in speech] == ["en", "es", "en"], speech
    assert "comprar" in speech[1]["text"].lower() and "market" in speech[0]["text"].lower(), speech
