"""Vault-wide speaker labels: 'me' for the owner's voice, 'other' for everyone else.

Recomputed over every voiceprint after each import (cheap: one matrix product), so labels improve
as the vault grows, and a resumed import ends with exactly the labels of a clean one.
"""
from __future__ import annotations

import numpy as np

from models.speaker import label, owner_reference
from sideload.store.voices import set_speakers, voiceprints


def relabel(vault, hub) -> int:
    rows = voiceprints(vault.db)
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
            set_speakers(tx, changed)  # the index carries the speaker for filtering: its vectors go again
    return len(changed)
