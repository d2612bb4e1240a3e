"""LoRA training of the serving model (transformers + peft on torch) and its export as a GGUF adapter.

The persona serves through llama.cpp from a GGUF file; training needs the same weights in torch.
transformers dequantises the GGUF once (`gguf_file=`) and the result is cached per machine, keyed by
the GGUF's checksum, so later nights start in seconds. The trained LoRA is written twice: as a peft
folder (the next night continues from it) and as a GGUF adapter that `Llama(lora_path=...)` loads.
"""
from __future__ import annotations

import hashlib
import logging
import math
import os
import random
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

log = logging.getLogger(__name__)

# peft module name -> GGUF tensor name inside blk.N
GGUF_NAMES = {
    "q_proj": "attn_q", "k_proj": "attn_k", "v_proj": "attn_v", "o_proj": "attn_output",
    "gate_proj": "ffn_gate", "up_proj": "ffn_up", "down_proj": "ffn_down",
}


@dataclass
class Example:
    """One chat-format training example; the loss is taken on `reply` only."""

    messages: list[dict]      # system / user turns that give the context
    reply: str                # the owner's own words


@dataclass
class TrainConfig:
    rank: int = 16
    alpha: float = 32.0
    lr: float = 1e-3
    seq_len: int = 256
    batch_tokens: int = 1024  # tokens per optimiser step (examples are packed up to this)
    token_budget: int = 50_000
    targets: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
    # Only the top layers get adapters: the backward pass then stops halfway down the network,
    # which made a step about a third cheaper with the same held-out perplexity.
    layers_from: float = 0.0
    seed: int = 0


@dataclass
class TrainResult:
    tokens: int
    steps: int
    seconds: float
    final_loss: float
    losses: list[float] = field(default_factory=list)

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds else 0.0


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_base(gguf_path: Path, cache_dir: Path, *, device: str = "cpu", checksum: str | None = None):
    """The serving GGUF as a torch model, dequantised once and cached under `cache_dir`."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    # our own progress bar tells the story; transformers' bars and notices would only add noise
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    gguf_path = Path(gguf_path)
    key = (checksum or file_sha256(gguf_path))[:16]
    folder = Path(cache_dir) / f"{gguf_path.stem}-{key}"
    if not (folder / "config.json").exists():
        log.info("dequantising %s once into %s", gguf_path.name, folder)
        tmp = folder.with_name(folder.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        model = AutoModelForCausalLM.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name,
                                                     dtype=torch.float32)
        tok = AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)
        # save_pretrained refuses while the GGUF quantizer is attached; the weights are plain now.
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.save_pretrained(str(tmp))
        tok.save_pretrained(str(tmp))
        os.replace(tmp, folder) if not folder.exists() else shutil.rmtree(tmp)
    model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32).to(device)
    tok = AutoTokenizer.from_pretrained(str(folder))
    return model, tok


def render_prompt(messages: Sequence[dict]) -> str:
    """ChatML, the serving model's chat format, rendered by hand so that training (torch tokenizer)
    and scoring (llama.cpp tokenizer) see the very same text."""
    return "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages) \
        + "<|im_start|>assistant\n"


def encode(tok, ex: Example, seq_len: int) -> tuple[list[int], list[int]] | None:
    """Token ids and labels (-100 on the context) of one example, cut to `seq_len`."""
    p_ids = tok(render_prompt(ex.messages), add_special_tokens=False)["input_ids"]
    r_ids = tok(ex.reply, add_special_tokens=False)["input_ids"]
    eos = tok.convert_tokens_to_ids("<|im_end|>")
    if isinstance(eos, int) and eos >= 0:
        r_ids = r_ids + [eos]
    # Keep the context's tail so at least half of the window is the owner's words.
    p_ids = p_ids[-max(seq_len // 2, seq_len - len(r_ids)):]
    ids = (p_ids + r_ids)[:seq_len]
    labels = ([-100] * len(p_ids) + r_ids)[:seq_len]
    if sum(1 for x in labels if x != -100) < 2:
        return None
    return ids, labels


def _target_modules(model, cfg: TrainConfig) -> list[str]:
    n_layers = model.config.num_hidden_layers
    first = int(n_layers * cfg.layers_from)
    names = []
    for name, _ in model.named_modules():
        parts = name.split(".")
        if parts[-1] in cfg.targets and "layers" in parts:
            layer = int(parts[parts.index("layers") + 1])
            if layer >= first:
                names.append(name)
    return names


def attach_lora(model, cfg: TrainConfig, previous: Path | None = None):
    """A peft model: continued from the previous night's adapter when there is one."""
    import warnings

    from peft import LoraConfig, PeftModel, get_peft_model

    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)

    if previous and (Path(previous) / "adapter_config.json").exists():
        return PeftModel.from_pretrained(model, str(previous), is_trainable=True)
    conf = LoraConfig(r=cfg.rank, lora_alpha=cfg.alpha, lora_dropout=0.0, bias="none",
                      target_modules=_target_modules(model, cfg), task_type="CAUSAL_LM")
    return get_peft_model(model, conf)


def train(model, tok, examples: Sequence[Example], cfg: TrainConfig, *,
          progress: Callable[[int, int], None] | None = None,
          should_stop: Callable[[], bool] | None = None) -> TrainResult:
    """Trains `model` (a peft model) in place until `cfg.token_budget` tokens have been seen."""
    import torch

    rng = random.Random(cfg.seed)
    torch.manual_seed(cfg.seed)
    encoded = [e for e in (encode(tok, ex, cfg.seq_len) for ex in examples) if e]
    if not encoded:
        raise ValueError("no training examples")
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.0)
    total_steps = max(1, cfg.token_budget // cfg.batch_tokens)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / max(1, total_steps // 10)) * max(0.1, 1 - s / total_steps))
    model.train()
    order: list[int] = []
    seen = steps = 0
    losses: list[float] = []
    t0 = time.perf_counter()
    pad = tok.pad_token_id if tok.pad_token_id is not None else 0
    while seen < cfg.token_budget:
        if should_stop and should_stop():
            break
        # Every step has the same shape (rows x seq_len): with varying shapes glibc's heap fragmented
        # and RSS grew by about 1 GB a step; with one shape the same buffers are reused.
        batch: list[tuple[list[int], list[int]]] = []
        for _ in range(max(1, cfg.batch_tokens // cfg.seq_len)):
            if not order:
                order = list(range(len(encoded)))
                rng.shuffle(order)
            batch.append(encoded[order.pop()])
        width = cfg.seq_len
        inp = torch.full((len(batch), width), pad, dtype=torch.long)
        lab = torch.full((len(batch), width), -100, dtype=torch.long)
        att = torch.zeros((len(batch), width), dtype=torch.long)
        for row, (ids, labels) in enumerate(batch):
            inp[row, :len(ids)] = torch.tensor(ids)
            lab[row, :len(ids)] = torch.tensor(labels)
            att[row, :len(ids)] = 1
        inp, lab, att = (t.to(model.device) for t in (inp, lab, att))
        out = model(input_ids=inp, attention_mask=att, labels=lab)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        steps += 1
        seen += int(att.sum())
        losses.append(float(out.loss.detach()))
        if progress:
            progress(min(seen, cfg.token_budget), cfg.token_budget)
    model.eval()
    return TrainResult(tokens=seen, steps=steps, seconds=time.perf_counter() - t0,
                       final_loss=sum(losses[-5:]) / max(1, len(losses[-5:])), losses=losses)


def _permute_rows(w, n_head: int):
    """The row permutation llama.cpp's converter applies to q and k weights (rotary layout)."""
    return (w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:])
            .swapaxes(1, 2).reshape(w.shape))


def export_gguf(peft_model, out_path: Path) -> Path:
    """Writes the LoRA as a GGUF adapter for llama.cpp; atomically (temp file, then rename)."""
    import gguf
    import numpy as np

    cfg = peft_model.peft_config["default"]
    base_cfg = peft_model.base_model.model.config
    n_head, n_kv = base_cfg.num_attention_heads, base_cfg.num_key_value_heads
    writer_path = Path(out_path).with_suffix(".gguf.partial")
    w = gguf.GGUFWriter(str(writer_path), "llama")
    w.add_string("general.type", "adapter")
    w.add_string("adapter.type", "lora")
    w.add_float32("adapter.lora.alpha", float(cfg.lora_alpha))
    count = 0
    for name, module in peft_model.named_modules():
        if not hasattr(module, "lora_A") or "default" not in module.lora_A:
            continue
        parts = name.split(".")
        layer = int(parts[parts.index("layers") + 1])
        gname = GGUF_NAMES[parts[-1]]
        a = module.lora_A["default"].weight.detach().float().cpu().numpy()  # [r, in]
        b = module.lora_B["default"].weight.detach().float().cpu().numpy()  # [out, r]
        if gname == "attn_q":
            b = _permute_rows(b, n_head)
        elif gname == "attn_k":
            b = _permute_rows(b, n_kv)
        w.add_tensor(f"blk.{layer}.{gname}.weight.lora_a", np.ascontiguousarray(a, dtype=np.float32))
        w.add_tensor(f"blk.{layer}.{gname}.weight.lora_b", np.ascontiguousarray(b, dtype=np.float32))
        count += 1
    if not count:
        raise ValueError("the model holds no LoRA layers")
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    os.replace(writer_path, out_path)
    return Path(out_path)


def save_peft(peft_model, folder: Path) -> None:
    tmp = Path(folder).with_name(Path(folder).name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    peft_model.save_pretrained(str(tmp))
    if Path(folder).exists():
        shutil.rmtree(folder)
    os.replace(tmp, folder)


def torch_perplexity(model, tok, examples: Sequence[Example], seq_len: int = 512) -> float:
    """Perplexity of the replies under a torch model (used to check the GGUF export)."""
    import torch

    nll = 0.0
    count = 0
    model.eval()
    with torch.no_grad():
        for ex in examples:
            enc = encode(tok, ex, seq_len)
            if not enc:
                continue
            ids, labels = enc
            out = model(input_ids=torch.tensor([ids], device=model.device),
                        labels=torch.tensor([labels], device=model.device))
            k = sum(1 for x in labels[1:] if x != -100)
            nll += float(out.loss) * k
            count += k
    return math.exp(nll / max(1, count))
