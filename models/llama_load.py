"""Loading a GGUF with llama.cpp, safe on processors with AMX.

pip compiles llama.cpp for the machine it runs on (-march=native). On a Xeon with AMX (Sapphire
Rapids and later) that build repacks the weights into AMX tiles, and its AMX matrix multiply
crashes the whole process on the first answer (SIGSEGV in ggml_backend_amx_mul_mat; seen here with
SmolLM2's Q4_1, and upstream with Q4_K_M: ggml-org/llama.cpp#20824, closed without a fix). Where the
library says it uses AMX, a model is loaded without llama.cpp's extra buffer types (the AMX tiles and
the repacked weights): the plain AVX-512 kernels answer instead, a little slower, never a crash.

Llama() takes no setting for it, so the default model parameters it starts from are changed for the
length of the load, under a lock: two loads at once each see the parameters they were meant to.
"""
from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

_loading = threading.Lock()


@lru_cache(maxsize=1)
def uses_amx() -> bool:
    """Whether this llama.cpp build multiplies with AMX on this processor."""
    import llama_cpp

    return "AMX_INT8 = 1" in llama_cpp.llama_print_system_info().decode("utf-8", "replace")


def open_llama(**args: Any):
    """`llama_cpp.Llama(**args)`, without the AMX buffers where the build would use them."""
    from llama_cpp import Llama

    if not uses_amx():
        return Llama(**args)
    import llama_cpp.llama_cpp as lib

    with _loading:
        defaults = lib.llama_model_default_params

        def without_extra_buffers():
            params = defaults()
            params.use_extra_bufts = False
            return params

        lib.llama_model_default_params = without_extra_buffers
        try:
            return Llama(**args)
        finally:
            lib.llama_model_default_params = defaults
