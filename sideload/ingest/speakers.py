"""Vault-wide speaker labels: 'me' for the owner's voice, 'other' for everyone else.

Recomputed over every voiceprint after each import (cheap: one matrix product), so labels improve
as the vault grows, and a resumed import ends with exactly the labels of a clean one.
"""
from __future__ import annotations

import numpy as np

from models.speaker import label, owner_reference


def relabel(vault, hub) -> int:
    rows = vault.db.execute(
        "SELECT v.rid, v.vector, m.end_s - m.start_s AS dur, m.speaker FROM voiceprints v "
        "JOIN moments m USING (rid) ORDER BY v.rid").fetchall()
    if not rows:
        return 0
    prints = np.stack([np.frombuffer(r["vector"], np.float32) for r in rows])
    weights = np.array([max(float(r["dur"]), 0.1) for r in rows])
    threshold = float(vault.settings["speaker_threshold"])
    enrolled = hub.enrolled_voice() if vault.settings["owner_voice_sample"] else None
    owner = owner_reference(prints, weights, threshold, enrolled)
    labels = label(prints, owner, threshold)
    changed = [(lab, r["rid"]) for lab, r in zip(labels, rows) if lab != r["speaker"]]
    if changed:
        with vault.transaction() as tx:
            tx.executemany("UPDATE moments SET speaker = ? WHERE rid = ?", changed)
            # the index carries the speaker for filtering: re-send these vectors
            tx.executemany("UPDATE embeddings SET indexed = 0 WHERE rid = ?", [(rid,) for _, rid in changed])
    return len(changed)
