"""Hits as results: neighbouring hits of one stretch of a recording become one, each with its evidence."""
from __future__ import annotations

from typing import Any

MERGE_GAP_S = 3.0  # hits this close in one recording are one stretch of it
MERGE_MAX_S = 30.0  # but a merged result stays short enough to be one moment


def passage_json(p) -> dict[str, Any]:
    """Where in the moment's text the evidence stands (character offsets), and its words."""
    return {"passage": {"start": p["start"], "end": p["end"], "text": p["text"]}} if p is not None else {}


def merge_neighbours(results: list[tuple]) -> list[tuple]:
    """Hits from one stretch of one recording become one result, not five (the best hit's score and
    evidence stand for the merged one)."""
    merged: list[dict] = []
    for row, score, *evidence in results:
        d = dict(row)
        for m in merged:
            if m["file_id"] != d["file_id"] or m["kind"] != d["kind"] or d["kind"] not in ("speech", "scene"):
                continue
            if m["speaker"] != d["speaker"] or m.get("speaker_name") != d.get("speaker_name"):
                continue  # one voice per result: what the dentist said is never quoted as "I said"
            lo, hi = min(m["start_s"], d["start_s"]), max(m["end_s"], d["end_s"])
            gap = max(d["start_s"] - m["end_s"], m["start_s"] - d["end_s"])
            if gap <= MERGE_GAP_S and hi - lo <= MERGE_MAX_S:
                parts = sorted([(m["start_s"], m["text"]), (d["start_s"], d["text"])])
                m["text"] = " ".join(t for _, t in parts if t)
                if d["start_s"] < m["start_s"]:
                    m["started_at"] = d["started_at"]
                m["start_s"], m["end_s"] = lo, hi  # the best hit keeps its id and speaker
                break
        else:
            d["_score"], d["_evidence"] = score, evidence
            merged.append(d)
    return [(m, m["_score"], *m["_evidence"]) for m in merged]
