"""The moment: a stretch of a person's life as tight as its evidence, and its JSON form (CLI.md)."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

KINDS = ("speech", "scene", "photo", "text")


@dataclass
class Moment:
    kind: str
    start_s: float
    end_s: float
    started_at: str | None  # ISO 8601 wall clock at start_s
    t_start: float | None  # wall clock as seconds, for ordering
    t_end: float | None
    day: str | None
    text: str = ""
    caption: str | None = None
    speaker: str | None = None  # me | other | unknown | None
    speaker_name: str | None = None
    keyframe: str | None = None  # path relative to the vault
    meta: dict[str, Any] = field(default_factory=dict)
    moment_id: str = ""
    # carried to later stages, not stored as columns
    voiceprint: Any = None
    embedding: Any = None
    passages: list = field(default_factory=list)  # (start, end, text) of a long moment's passages
    passage_vectors: Any = None


def make_moment_id(content_hash: str, kind: str, start_s: float, ordinal: int) -> str:
    """Deterministic: the same file content always yields the same ids (idempotent imports)."""
    key = f"{content_hash}:{kind}:{round(start_s * 1000)}:{ordinal}"
    return hashlib.sha1(key.encode()).hexdigest()[:20]


MOMENT_COLUMNS = ("m.moment_id, m.kind, m.start_s, m.end_s, m.started_at, m.speaker, m.speaker_name, "
                  "m.text, m.caption, m.keyframe, m.day, m.t_start, m.meta, f.path AS source, f.time_source")


def row_to_json(row: sqlite3.Row, score: float | None = None) -> dict[str, Any]:
    """The shared JSON form of a moment; `score` only where a ranking does."""
    out: dict[str, Any] = {
        "moment_id": row["moment_id"],
        "source": row["source"],
        "kind": row["kind"],
        "start_s": round(float(row["start_s"]), 2),
        "end_s": round(float(row["end_s"]), 2),
        "started_at": row["started_at"],
        "speaker": row["speaker"],
        "speaker_name": row["speaker_name"] if "speaker_name" in row.keys() else None,
        "text": row["text"],
        "caption": row["caption"],
        # where started_at came from (container, exif, filename, ..., mtime: a guess, owner: corrected)
        "time_source": row["time_source"] if "time_source" in row.keys() else None,
    }
    if row["kind"] == "speech":
        out["language"] = meta_of(row).get("language")  # the language it was transcribed in
    if score is not None:
        out["score"] = round(float(score), 4)
    return out


def meta_of(row: sqlite3.Row) -> dict[str, Any]:
    if "meta" not in row.keys():
        return {}
    try:
        return json.loads(row["meta"] or "{}")
    except json.JSONDecodeError:
        return {}
