"""The import pipeline, declared in one place: `STAGES` for each file, `AFTER` once per import.

    per file:    probe -> clock -> extract audio -> voice activity -> keyframes -> excluded time
                 -> transcription -> speaker -> frame description -> moments -> embeddings
                 (then the session stores the file and its moments in one transaction)
    per import:  speaker labels -> people -> privacy rules -> profile -> vector index

Each stage is a small function over one `Task`; a stage that does not apply to a file (no audio,
no video, a text file) returns at once. Timings are kept per stage for progress and the ingest
benchmark. The per-file stages never write to the catalogue (the clock stage only reads what an
earlier chapter of the same recording said), so a killed import never leaves half a file behind.
Time ranges the owner excluded are dropped before anything is transcribed, described or written.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from lifelog_import.api import ImportFailure, Importer, Source
from lifelog_import.timeinfo import iso, wall_seconds
from models.audio import SpeechRegion
from sideload.ingest import finish
from sideload.jobs import JobContext
from sideload.paths import VaultPaths
from sideload.store.moments import Moment, make_moment_id
from sideload.store.passages import cut as passage_cut


@dataclass
class Task:
    path: Path
    content_hash: str
    importer: Importer
    settings: Any
    hub: Any  # models.hub.ModelHub
    vault_paths: VaultPaths
    source: Source | None = None
    audio: Any = None  # models.audio.AudioTrack
    regions: list[SpeechRegion] = field(default_factory=list)
    segments: list = field(default_factory=list)
    voiceprints: list = field(default_factory=list)  # per segment, or None
    keyframes: list = field(default_factory=list)
    frame_facts: list = field(default_factory=list)
    moments: list[Moment] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # what the session knows of the vault: excluded time ranges (wall seconds), and where an earlier
    # chapter of the same recording ended (recording, chapter) -> datetime | None
    exclude: list[tuple[float, float]] = field(default_factory=list)
    chapter_end: Callable[[str, int], Any] | None = None
    skip_entries: set[int] = field(default_factory=set)  # text entries inside an excluded range
    excluded: bool = False  # everything in the file lay inside excluded time: nothing to store

    @property
    def duration(self) -> float:
        info = self.source.info if self.source else None
        return float(info.duration) if info else 0.0

    def wall(self, offset_s: float):
        """The wall-clock datetime at an offset into the file."""
        from datetime import timedelta

        start = self.source.clock.start if self.source else None
        return None if start is None else start + timedelta(seconds=offset_s)


# -- stages -------------------------------------------------------------------------------------

def probe(task: Task, ctx: JobContext) -> None:
    task.source = task.importer.read(task.path, task.settings)


def clock(task: Task, ctx: JobContext) -> None:
    """A GoPro chapter with no clock of its own starts where the previous chapter ended."""
    src = task.source
    if ("recording" not in src.meta or not src.clock.uncertain or src.meta.get("chapter", 0) == 0
            or task.chapter_end is None):
        return
    end = task.chapter_end(src.meta["recording"], src.meta["chapter"] - 1)
    if end is not None:
        src.clock.start = end
        src.clock.source = "chapter"


def excluded_time(task: Task, ctx: JobContext) -> None:
    """Speech, scenes and entries inside the owner's excluded time ranges go before they are
    transcribed, described or written anywhere."""
    if not task.exclude:
        return

    def out(when) -> bool:
        return when is not None and any(a <= wall_seconds(when) < b for a, b in task.exclude)

    if task.source.media_kind == "text":
        task.skip_entries = {n for n, e in enumerate(task.source.entries) if out(e.when)}
        task.excluded = bool(task.source.entries) and len(task.skip_entries) == len(task.source.entries)
        return
    had = len(task.regions) + len(task.keyframes)
    task.regions = [r for r in task.regions if not out(task.wall(r.start))]
    task.keyframes = [k for k in task.keyframes if not out(task.wall(k.t))]
    task.excluded = had > 0 and not task.regions and not task.keyframes


def extract_audio(task: Task, ctx: JobContext) -> None:
    info = task.source.info
    if info is None or not info.has_audio:
        return
    from models.audio import AudioTrack, DecodeError

    try:
        task.audio = AudioTrack.decode(task.path, tmp_dir=task.vault_paths.tmp_dir)
    except DecodeError as exc:
        if task.source.media_kind == "audio":
            raise ImportFailure(f"its audio could not be decoded ({exc})") from None
        task.warnings.append(f"audio track unreadable ({exc}); scenes only")


def voice_activity(task: Task, ctx: JobContext) -> None:
    if task.audio is None:
        return
    from models.audio import track_speech_regions

    with task.hub.heavy:
        task.regions = track_speech_regions(task.audio)


def transcription(task: Task, ctx: JobContext) -> None:
    if not task.regions:
        return
    from models.transcribe import transcribe_track

    lang = task.settings["whisper_language"] or None
    with task.hub.heavy:
        task.segments = transcribe_track(task.hub.whisper, task.audio, task.regions, language=lang,
                                   beam_size=int(task.settings["whisper_beam_size"]), on_segment=lambda _t: ctx.check())


def speaker(task: Task, ctx: JobContext) -> None:
    if not task.segments:
        return
    from models.speaker import voiceprint

    with task.hub.heavy:
        enc = task.hub.voice
        for seg in task.segments:
            ctx.check()
            task.voiceprints.append(voiceprint(enc, task.audio.slice(seg.start, seg.end)))


def keyframes(task: Task, ctx: JobContext) -> None:
    info = task.source.info
    if task.source.media_kind == "photo":
        task.keyframes = [_photo_frame(task.path)]
        return
    if info is None or not info.has_video:
        return
    from models.frames import FrameDecodeError, pick_keyframes, sample_frames

    w, h = _sample_size(info.width, info.height, info.rotation)
    s = task.settings
    try:
        task.keyframes = pick_keyframes(
            sample_frames(task.path, w, h, info.duration, keyframe_count=info.keyframes),
            duration=info.duration, min_gap=s["keyframe_min_gap_s"], max_gap=s["keyframe_max_gap_s"],
            threshold=s["scene_threshold"])
    except FrameDecodeError as exc:
        if task.audio is None:
            raise ImportFailure(f"its video could not be decoded ({exc})") from None
        task.warnings.append(f"video track unreadable ({exc}); speech only")


def frame_description(task: Task, ctx: JobContext) -> None:
    if not task.keyframes:
        return
    from PIL import Image

    describer = task.hub.frames
    vision = task.hub.vision  # a user's vision model captions a few of them, when one is set
    captioned = set(_vision_frames(task)) if vision is not None else set()
    for n, kf in enumerate(task.keyframes):
        ctx.check()
        rgb = kf.image()
        with task.hub.heavy:
            facts = describer.describe(rgb, kf.motion)
            if n in captioned:
                facts.vision = vision.caption(rgb)
                facts.describer = f"{vision.name} + {facts.describer}"  # which describer wrote this one
        task.frame_facts.append(facts)
        t_ms = int(round(kf.t * 1000))
        out = task.vault_paths.keyframe_file(task.content_hash, t_ms)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(kf.jpeg)
        img = Image.fromarray(rgb)
        thumb = task.vault_paths.thumbnail_file(task.content_hash, t_ms)
        thumb.parent.mkdir(parents=True, exist_ok=True)
        img.thumbnail((240, 240))
        img.save(thumb, "JPEG", quality=75)


def _vision_frames(task: Task) -> list[int]:
    """A photo is captioned; a video's keyframes once per scene, at most `vision_frames` a file."""
    from models.vision import frames_to_caption

    if task.source.media_kind == "photo":
        return [0]
    return frames_to_caption(task.keyframes, limit=task.settings["vision_frames"],
                             threshold=task.settings["scene_threshold"])


def build_moments(task: Task, ctx: JobContext) -> None:
    src = task.source
    h = task.content_hash
    out: list[Moment] = []
    if src.media_kind == "text":
        # an encoding that was guessed (no byte-order mark, not UTF-8) is said on each moment
        guessed = {"encoding": src.meta["encoding"]} if src.meta.get("encoding_guessed") else {}
        for n, entry in enumerate(src.entries):
            if n in task.skip_entries:
                continue  # the ordinal stays that of the entry in its file, so ids do not shift
            when = entry.when
            end = entry.end or when
            out.append(Moment(
                kind="text", start_s=0.0, end_s=0.0, started_at=iso(when, entry.precision),
                t_start=wall_seconds(when), t_end=wall_seconds(end), day=when.date().isoformat(),
                text=entry.text, speaker=entry.speaker, speaker_name=entry.speaker_name,
                meta={"entry": n, "precision": entry.precision, **guessed},
                moment_id=make_moment_id(h, "text", 0.0, n)))
        task.moments = out
        return
    out += _speech_moments(task)
    for n, (kf, facts) in enumerate(zip(task.keyframes, task.frame_facts)):
        kind = "photo" if src.media_kind == "photo" else "scene"
        start, end = (0.0, 0.0) if kind == "photo" else (kf.t, kf.scene_end)
        when = task.wall(start)
        out.append(Moment(
            kind=kind, start_s=start, end_s=end, started_at=iso(when) if when else None,
            t_start=wall_seconds(when) if when else None,
            t_end=wall_seconds(task.wall(end)) if when else None,
            day=when.date().isoformat() if when else None,
            text=facts.text, caption=facts.caption(),
            keyframe=str(task.vault_paths.keyframe_file(h, int(round(kf.t * 1000))).relative_to(task.vault_paths.root)),
            meta=facts.as_meta(), moment_id=make_moment_id(h, kind, start, n)))
    task.moments = out


def embeddings(task: Task, ctx: JobContext) -> None:
    """One vector per moment, and one per passage of a long moment (the embedding model reads only
    its first ~200 words)."""
    for m in task.moments:
        if m.kind in ("text", "speech"):
            m.passages = passage_cut(m.text)
    texts = [embed_text(m.text, m.caption, m.kind) for m in task.moments]
    if not texts:
        return
    pieces = [p[2] for m in task.moments for p in m.passages]
    with task.hub.heavy:
        vecs = task.hub.embedder.encode(texts)
        pvecs = task.hub.embedder.encode(pieces) if pieces else []
    at = 0
    for m, v in zip(task.moments, vecs):
        m.embedding = v
        if m.passages:
            m.passage_vectors = pvecs[at:at + len(m.passages)]
            at += len(m.passages)


# The pipeline, at a glance. (name, stage, share of a file's work, for progress)
STAGES: list[tuple[str, Callable[[Task, JobContext], None], float]] = [
    ("probe", probe, 0.02),
    ("clock", clock, 0.0),
    ("extract audio", extract_audio, 0.05),
    ("voice activity", voice_activity, 0.05),
    ("keyframes", keyframes, 0.15),
    ("excluded time", excluded_time, 0.0),
    ("transcription", transcription, 0.45),
    ("speaker", speaker, 0.08),
    ("frame description", frame_description, 0.12),
    ("moments", build_moments, 0.01),
    ("embeddings", embeddings, 0.07),
]

# Once per import, after its files. (name, step over the session, share of this last part)
AFTER: list[tuple[str, Callable[[Any, JobContext], None], float]] = [
    ("speaker labels", finish.speaker_labels, 0.35),
    ("people", finish.people_by_voice, 0.05),
    ("privacy rules", finish.privacy_rules, 0.05),
    ("activities", finish.activities, 0.05),
    ("profile", finish.profile_facts, 0.2),
    ("vector index", finish.vector_index, 0.3),
]
FILES_SHARE = 0.97  # of a whole import's progress; AFTER has the rest


def run(task: Task, ctx: JobContext, on_stage: Callable[[str, float], None] | None = None) -> Task:
    done = 0.0
    try:
        for name, stage, share in STAGES:
            ctx.check()
            if on_stage:
                on_stage(name, done)
            t0 = time.perf_counter()
            stage(task, ctx)
            task.timings[name] = task.timings.get(name, 0.0) + time.perf_counter() - t0
            done += share
            if task.excluded:
                break
    finally:
        if task.audio is not None:
            task.audio.close()  # frees memory, or deletes the temporary file of a long track
            task.audio = None
    for kf in task.keyframes:
        kf.jpeg = b""
    return task


# -- helpers ------------------------------------------------------------------------------------

def _sample_size(width: int, height: int, rotation: int) -> tuple[int, int]:
    from models.frames import SAMPLE_WIDTH

    if abs(rotation) in (90, 270):
        width, height = height, width
    if width <= 0 or height <= 0:
        return SAMPLE_WIDTH, SAMPLE_WIDTH * 9 // 16
    w = min(SAMPLE_WIDTH, width)
    h = max(2, int(round(height * w / width / 2)) * 2)
    return w, h


def _photo_frame(path: Path):
    from PIL import Image, ImageOps

    from models.frames import SAMPLE_WIDTH, Keyframe

    with Image.open(path) as img:
        img = ImageOps.exif_transpose(img).convert("RGB")
        img.thumbnail((SAMPLE_WIDTH, SAMPLE_WIDTH))
        frame = np.asarray(img)
    return Keyframe.from_frame(0.0, frame, 0.0)


def embed_text(text: str | None, caption: str | None, kind: str) -> str:
    """What a moment's vector is made from (import and re-embedding alike)."""
    parts = [p for p in (text, caption) if p]
    return " — ".join(parts) if parts else kind


def _speech_moments(task: Task) -> list[Moment]:
    """A few sentences from one voice in one language: consecutive segments merged while close, same
    voice, same language, short."""
    segs, prints = task.segments, task.voiceprints or [None] * len(task.segments)
    if not segs:
        return []
    max_len = float(task.settings["max_speech_moment_s"])
    same_voice = float(task.settings["speaker_threshold"]) - 0.05
    groups: list[list[int]] = [[0]]
    for i in range(1, len(segs)):
        g = groups[-1]
        first, last = segs[g[0]], segs[g[-1]]
        gap = segs[i].start - last.end
        fits = segs[i].end - first.start <= max_len
        pa, pb = prints[g[-1]], prints[i]
        voice_ok = pa is None or pb is None or float(pa @ pb) >= same_voice
        same_language = segs[i].language == last.language
        if gap <= 1.5 and fits and voice_ok and same_language:
            g.append(i)
        else:
            groups.append([i])
    out = []
    for n, g in enumerate(groups):
        start, end = segs[g[0]].start, segs[g[-1]].end
        text = " ".join(segs[i].text for i in g).strip()
        vps = [prints[i] for i in g if prints[i] is not None]
        vp = None
        if vps:
            weights = [segs[i].end - segs[i].start for i in g if prints[i] is not None]
            vp = np.average(np.stack(vps), axis=0, weights=weights).astype(np.float32)
            vp /= np.linalg.norm(vp) or 1.0
        when = task.wall(start)
        out.append(Moment(
            kind="speech", start_s=start, end_s=end, started_at=iso(when) if when else None,
            t_start=wall_seconds(when) if when else None, t_end=wall_seconds(task.wall(end)) if when else None,
            day=when.date().isoformat() if when else None, text=text, speaker="unknown",
            meta={"confidence": round(float(np.mean([segs[i].avg_logprob for i in g])), 3),
                  **({"language": segs[g[0]].language} if segs[g[0]].language else {})},
            voiceprint=vp, moment_id=make_moment_id(task.content_hash, "speech", start, n)))
    return out
