"""Who is speaking: the wearer (the owner) or someone else.

Each speech moment gets a resemblyzer voiceprint. The owner's voice is an enrolled sample when the
settings name one, otherwise the dominant voice of the vault (the wearer is the one who talks most
into their own camera). Labels are recomputed over the whole vault after every import, so they get
better as the vault grows.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .audio import SAMPLE_RATE

MIN_VOICE_S = 0.8  # shorter stretches carry too little voice to tell who it is


def load_encoder(device: str):
    import warnings

    with warnings.catch_warnings():
        # webrtcvad (a resemblyzer dependency) imports the deprecated pkg_resources
        warnings.simplefilter("ignore")
        import webrtcvad  # noqa: F401
        from resemblyzer import VoiceEncoder

    return VoiceEncoder(device="cuda" if device == "cuda" else "cpu", verbose=False)


def warm_up() -> None:
    """The first preprocessing call compiles librosa's numba kernels, holding Python's GIL for over
    100 ms at a time; the app does it once at start so it never happens under an open window."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from resemblyzer import preprocess_wav

        preprocess_wav(np.zeros(SAMPLE_RATE, np.float32), source_sr=SAMPLE_RATE)


def voiceprint(encoder, audio: np.ndarray) -> np.ndarray | None:
    """A unit-length 256-d voice embedding, or None when there is too little voice."""
    if audio.size < MIN_VOICE_S * SAMPLE_RATE:
        return None
    from resemblyzer import preprocess_wav

    wav = preprocess_wav(audio.astype(np.float32), source_sr=SAMPLE_RATE)
    if wav.size < MIN_VOICE_S * SAMPLE_RATE:
        wav = audio.astype(np.float32)
    emb = encoder.embed_utterance(wav)
    norm = float(np.linalg.norm(emb))
    return (emb / norm).astype(np.float32) if norm > 0 else None


@dataclass
class Cluster:
    centroid: np.ndarray
    weight: float
    members: list[int]


def cluster_voices(prints: np.ndarray, weights: np.ndarray, threshold: float) -> list[Cluster]:
    """Greedy clustering by cosine similarity, longest stretches first (they are the cleanest)."""
    clusters: list[Cluster] = []
    for i in np.argsort(-weights):
        v = prints[i]
        best, best_sim = None, -1.0
        for c in clusters:
            sim = float(v @ (c.centroid / np.linalg.norm(c.centroid)))
            if sim > best_sim:
                best, best_sim = c, sim
        if best is not None and best_sim >= threshold:
            best.centroid = best.centroid + v * weights[i]
            best.weight += float(weights[i])
            best.members.append(int(i))
        else:
            clusters.append(Cluster(v * weights[i], float(weights[i]), [int(i)]))
    return sorted(clusters, key=lambda c: -c.weight)


def owner_reference(prints: np.ndarray, weights: np.ndarray, threshold: float,
                    enrolled: np.ndarray | None) -> np.ndarray | None:
    if enrolled is not None:
        return enrolled / np.linalg.norm(enrolled)
    if len(prints) == 0:
        return None
    top = cluster_voices(prints, weights, threshold)[0]
    return top.centroid / np.linalg.norm(top.centroid)


def label(prints: np.ndarray, owner: np.ndarray | None, threshold: float) -> list[str]:
    if owner is None:
        return ["unknown"] * len(prints)
    sims = prints @ owner
    return ["me" if s >= threshold else "other" for s in sims]
