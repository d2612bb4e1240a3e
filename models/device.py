"""Where models run: a GPU when one is present and allowed, the CPU otherwise."""
from __future__ import annotations

import functools
import sys
from pathlib import Path


@functools.lru_cache(maxsize=None)
def cuda_available() -> bool:
    try:
        import ctranslate2

        if ctranslate2.get_cuda_device_count() > 0:
            return True
    except Exception:  # no CUDA runtime at all: CPU
        pass
    if "torch" not in sys.modules and not any(Path(p).exists() for p in ("/proc/driver/nvidia", "/dev/nvidia0")):
        return False  # no NVIDIA driver: torch (1.4 s to import) would find no GPU either
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
