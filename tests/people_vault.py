"""A vault with conversations in it, fast: recordings stored through the real store with synthetic
voiceprints (a few voices, each a direction in voice space with a little noise per stretch) and the
fake embedder's vectors, then the real per-import steps (speaker labels, people, privacy, profile,
index). The real voice encoder on real speech is tested in test_people.py."""
from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from fakes import FakeEmbedder, fake_context
from lifelog_import.api import WallClock
from lifelog_import.timeinfo import iso, wall_seconds
from sideload.jobs import JobContext
from sideload.store.moments import Moment, make_moment_id
from sideload.store.writes import store_file

DIM = 256


def voices(n: int, seed: int = 7) -> np.ndarray:
    """`n` voices, far apart (random directions in 256 dimensions are nearly orthogonal)."""
    v = np.random.default_rng(seed).standard_normal((n, DIM))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def utterance(voice: np.ndarray, rng: np.random.Generator, noise: float = 0.02) -> np.ndarray:
    """One stretch of a voice: cosine about 0.9 to the voice itself."""
    v = voice + rng.standard_normal(DIM) * noise
    return (v / np.linalg.norm(v)).astype(np.float32)


def store_recording(vault, folder: Path, name: str, start: datetime,
                    lines: list[tuple[np.ndarray, float, float, str]], seed: int = 0) -> None:
    """One recording: (voice, start s, end s, words) per stretch of speech."""
    rng = np.random.default_rng(seed)
    path = folder / name
    path.write_bytes(name.encode() * 8)
    content_hash = f"hash-{name}"
    texts = [t for *_, t in lines]
    vecs = FakeEmbedder().encode(texts)
    moments = []
    for k, ((voice, a, b, text), vec) in enumerate(zip(lines, vecs)):
        when = start + timedelta(seconds=a)
        moments.append(Moment(kind="speech", start_s=a, end_s=b, started_at=iso(when), t_start=wall_seconds(when),
                              t_end=wall_seconds(start + timedelta(seconds=b)), day=when.date().isoformat(),
                              text=text, speaker="unknown", voiceprint=utterance(voice, rng), embedding=vec,
                              moment_id=make_moment_id(content_hash, "speech", a, k)))
    task = SimpleNamespace(
        source=SimpleNamespace(clock=WallClock(start, "container"), meta={}, media_kind="audio"),
        content_hash=content_hash, importer=SimpleNamespace(name="audio"), duration=lines[-1][2] + 1,
        warnings=[], moments=moments, path=path)
    with vault.transaction() as tx:
        store_file(tx, task, path, os.stat(path), FakeEmbedder.name)


def finish_import(context, vault) -> None:
    """The per-import steps over what was stored (an import of no new files runs just those)."""
    context.import_session(vault, JobContext()).run([])


def conversation_vault(tmp_path: Path, *, llm=None, owner: str = "Alex"):
    """Three recordings over two days: the owner talks most; Maria asks for the budget numbers twice;
    the dentist once. Returns (context, the voices: owner, maria, dentist)."""
    owner_v, maria, dentist = voices(3)
    media = tmp_path / "media"
    media.mkdir()
    context = fake_context(tmp_path / "vault", llm=llm)
    with context.init() as v:
        v.settings.set("owner_name", owner)
        v.settings.save()
        store_recording(v, media, "lunch.m4a", datetime(2026, 3, 2, 13, 15), [
            (maria, 1.0, 6.0, "The quarterly report is due on Friday and I need the budget numbers by Thursday."),
            (owner_v, 7.0, 11.0, "I will send you the spreadsheet tomorrow morning before the team meeting."),
            (maria, 12.0, 15.0, "Please include the travel costs for the Lisbon trip."),
            (owner_v, 16.0, 19.0, "Of course, the travel costs are in the second sheet."),
        ], seed=1)
        store_recording(v, media, "dentist.m4a", datetime(2026, 3, 2, 11, 2), [
            (dentist, 1.0, 7.0, "Your lower left molar has a small cavity, please floss every evening."),
            (owner_v, 8.0, 12.0, "Okay, I will book the filling for next Tuesday afternoon."),
        ], seed=2)
        store_recording(v, media, "call.m4a", datetime(2026, 3, 3, 9, 0), [
            (owner_v, 1.0, 5.0, "Good morning, the spreadsheet is on its way to you now."),
            (maria, 6.0, 10.0, "Thank you, the budget numbers look right to me."),
            (owner_v, 11.0, 14.0, "Good, then I can relax this weekend at last."),
        ], seed=3)
        finish_import(context, v)
    return context, (owner_v, maria, dentist)
