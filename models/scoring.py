"""Perplexity of the owner's real words under the serving stack (llama.cpp, base GGUF + LoRA adapter).

The fidelity gate measures exactly what would be served, so it scores through llama.cpp rather than
through the torch copy used for training. Prompts and replies are tokenised separately, the same way
training does (`models.lora.encode`), so both sides see the same token ids.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Callable, Sequence

from .lora import Example, render_prompt


def llama_perplexity(model_path: Path, examples: Sequence[Example], *, lora_path: Path | None = None,
                     seq_len: int = 256, threads: int = 2, gpu: bool = False,
                     progress: Callable[[int, int], None] | None = None,
                     should_stop: Callable[[], bool] | None = None) -> tuple[float, int]:
    """(perplexity, tokens scored) of the replies in `examples`."""
    import numpy as np
    from models.llama_load import open_llama

    args = dict(model_path=str(model_path), n_ctx=seq_len + 8, n_batch=seq_len + 8, n_threads=threads,
                logits_all=True, verbose=False, n_gpu_layers=-1 if gpu else 0)
    if lora_path:
        args["lora_path"] = str(lora_path)
    llm = open_llama(**args)
    try:
        eos = llm.token_eos()
        nll = 0.0
        count = 0
        for i, ex in enumerate(examples):
            if should_stop and should_stop():
                break
            p_ids = llm.tokenize(render_prompt(ex.messages).encode(), add_bos=False, special=True)
            r_ids = llm.tokenize(ex.reply.encode(), add_bos=False, special=False) + [eos]
            p_ids = p_ids[-max(seq_len // 2, seq_len - len(r_ids)):]
            ids = (p_ids + r_ids)[:seq_len]
            first = len(p_ids)
            if len(ids) - first < 2:
                continue
            llm.reset()
            llm.eval(ids)
            logits = np.asarray(llm.scores[:len(ids)], dtype=np.float64)
            # token t is predicted by the logits at t-1
            pred = logits[first - 1:len(ids) - 1]
            target = np.asarray(ids[first:])
            m = pred.max(axis=1, keepdims=True)
            logz = (m[:, 0] + np.log(np.exp(pred - m).sum(axis=1)))
            nll += float((logz - pred[np.arange(len(target)), target]).sum())
            count += len(target)
            if progress:
                progress(i + 1, len(examples))
        return (math.exp(nll / count) if count else float("nan")), count
    finally:
        llm.close() if hasattr(llm, "close") else None
        del llm


def _mean_nll(logits, first: int, ids: list[int]) -> float:
    """Mean negative log-likelihood of ids[first:] given the logits of the positions before them."""
    import numpy as np

    pred = np.asarray(logits[first - 1:len(ids) - 1], dtype=np.float64)
    target = np.asarray(ids[first:])
    m = pred.max(axis=1, keepdims=True)
    logz = m[:, 0] + np.log(np.exp(pred - m).sum(axis=1))
    return float((logz - pred[np.arange(len(target)), target]).mean())


def llama_choose(model_path: Path, items: Sequence[tuple[Sequence[dict], str, Sequence[str]]], *,
                 lora_path: Path | None = None, seq_len: int = 384, threads: int = 2, gpu: bool = False,
                 progress: Callable[[int, int], None] | None = None,
                 should_stop: Callable[[], bool] | None = None) -> list[int]:
    """For each (messages, opening, choices): the index of the choice the model finds likeliest as
    the reply's continuation after `opening`, by mean log-likelihood per token (so a long choice is
    not punished for its length). The prompt and opening are read once per item; each choice is
    read on top of them (llama.cpp keeps the prefix in its cache)."""
    from models.llama_load import open_llama

    args = dict(model_path=str(model_path), n_ctx=seq_len + 8, n_batch=seq_len + 8, n_threads=threads,
                logits_all=True, verbose=False, n_gpu_layers=-1 if gpu else 0)
    if lora_path:
        args["lora_path"] = str(lora_path)
    llm = open_llama(**args)
    picked: list[int] = []
    try:
        for i, (messages, opening, choices) in enumerate(items):
            if should_stop and should_stop():
                break
            prefix = llm.tokenize((render_prompt(messages) + opening).encode(), add_bos=False, special=True)
            options = [llm.tokenize((" " + c.strip()).encode(), add_bos=False, special=False) for c in choices]
            room = seq_len - max(len(o) for o in options)
            prefix = prefix[-max(room, 8):]
            llm.reset()
            llm.eval(prefix)
            scores = []
            for option in options:
                llm.n_tokens = len(prefix)  # read the choice on top of the cached prefix
                option = option[:seq_len - len(prefix)]
                llm.eval(option)
                scores.append(_mean_nll(llm.scores, len(prefix), prefix + option))
            picked.append(min(range(len(scores)), key=scores.__getitem__))
            if progress:
                progress(i + 1, len(items))
        return picked
    finally:
        llm.close() if hasattr(llm, "close") else None
        del llm
