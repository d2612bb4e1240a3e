"""Where models run: a GPU when one is present and allowed, the CPU otherwise."""
from __future__ import annotations

import functools


@functools.lru_cache(maxsize=None)
def cuda_available() -> bool:
    try:
        import ctranslate2

        if ctranslate2.get_cuda_device_count() > 0:
            return True
    except Exception:  # no CUDA runtime at all: CPU
        pass
    try:
        import torch

        return bool(torch.cuda.is_available())
    except Exception:
        return False


def pick(setting: str) -> str:
    """'auto' -> 'cuda' when present, else 'cpu'; 'cpu'/'cuda' as asked."""
    if setting == "cpu":
        return "cpu"
    if setting == "cuda":
        return "cuda"
    return "cuda" if cuda_available() else "cpu"
