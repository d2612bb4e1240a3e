"""A tiny vision GGUF pair, generated here with random weights, for testing the vision path.

No package ships a vision-language model, so the tests make their own: a llama-architecture text
model (2 layers, 64 wide, a small SentencePiece-style vocabulary in the GGUF metadata) and a
LLaVA-1.5-style projector file (a CLIP vision encoder on 28 px images in 14 px patches, one layer,
and the two-layer "mlp" projector into the text model's width), in the layouts llama.cpp's own
model loader and its mtmd/clip loader read. The text it writes is gibberish made of real words of
its vocabulary: enough to prove a frame goes through llama.cpp's multimodal handler and a caption
comes back, nothing about quality.

    python tests/tiny_vision_gguf.py OUT_DIR     # writes tiny-vision.gguf and tiny-mmproj.gguf
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

TEXT_DIM = 64
TEXT_LAYERS = 2
TEXT_HEADS = 4
TEXT_FF = 128
CONTEXT = 2048  # the captioner's context: a shorter one only earns llama.cpp's warning

IMAGE = 28
PATCH = 14
VISION_DIM = 32
VISION_HEADS = 2
VISION_FF = 64
VISION_LAYERS = 1

# Whole words the model can say: with byte pieces left out, anything it writes is made of these
# (and the single letters that spell other text), so a caption always holds a searchable word.
WORDS = ("kitchen table garden window street river coffee bicycle market morning evening dog cat "
         "book lamp chair door tree road bridge mountain beach sunlight shadow bottle plate bread "
         "apple orange flower train station office desk screen phone keys car bus shop").split()
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;!?'\"()-/<>[]_"


def vocabulary() -> tuple[list[str], list[float], list[int]]:
    """SentencePiece pieces: <unk> <s> </s>, the word boundary, single characters, whole words."""
    from gguf import TokenType

    tokens = ["<unk>", "<s>", "</s>", "\u2581"]
    types = [TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL, TokenType.NORMAL]
    tokens += list(LETTERS)
    tokens += ["\u2581" + c for c in LETTERS]
    tokens += ["\u2581" + w for w in WORDS]
    types += [TokenType.NORMAL] * (len(tokens) - len(types))
    # scores rank merges: longer pieces first, so whole words win over spelling them out
    scores = [0.0, 0.0, 0.0, -1000.0] + [-100.0 + len(t) for t in tokens[4:]]
    return tokens, scores, [int(t) for t in types]


def _rand(rng: np.random.Generator, *shape: int, scale: float = 0.02) -> np.ndarray:
    return (rng.standard_normal(shape) * scale).astype(np.float32)


# A chat template in the model's metadata, as Qwen2-VL or Gemma 3 files carry one (LLaVA 1.5 files do not).
CHAT_TEMPLATE = ("{% for m in messages %}{{ m.role }}: {% if m.content is string %}{{ m.content }}{% else %}"
                 "{% for p in m.content %}{% if p.type == 'text' %}{{ p.text }}{% endif %}{% endfor %}{% endif %}\n"
                 "{% endfor %}{% if add_generation_prompt %}assistant: {% endif %}")


def write_text_model(path: Path, seed: int = 0, chat_template: str = "") -> Path:
    import gguf

    rng = np.random.default_rng(seed)
    tokens, scores, types = vocabulary()
    n_vocab = len(tokens)
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_name("tiny-vision-test")
    w.add_context_length(CONTEXT)
    w.add_embedding_length(TEXT_DIM)
    w.add_block_count(TEXT_LAYERS)
    w.add_feed_forward_length(TEXT_FF)
    w.add_head_count(TEXT_HEADS)
    w.add_head_count_kv(TEXT_HEADS)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(TEXT_DIM // TEXT_HEADS)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_unk_token_id(0)
    w.add_add_bos_token(True)
    w.add_add_eos_token(False)
    if chat_template:
        w.add_chat_template(chat_template)

    w.add_tensor("token_embd.weight", _rand(rng, n_vocab, TEXT_DIM, scale=1.0))
    for i in range(TEXT_LAYERS):
        p = f"blk.{i}."
        w.add_tensor(p + "attn_norm.weight", np.ones(TEXT_DIM, np.float32))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            w.add_tensor(p + name + ".weight", _rand(rng, TEXT_DIM, TEXT_DIM, scale=0.1))
        w.add_tensor(p + "ffn_norm.weight", np.ones(TEXT_DIM, np.float32))
        w.add_tensor(p + "ffn_gate.weight", _rand(rng, TEXT_FF, TEXT_DIM, scale=0.1))
        w.add_tensor(p + "ffn_up.weight", _rand(rng, TEXT_FF, TEXT_DIM, scale=0.1))
        w.add_tensor(p + "ffn_down.weight", _rand(rng, TEXT_DIM, TEXT_FF, scale=0.1))
    w.add_tensor("output_norm.weight", np.ones(TEXT_DIM, np.float32))
    # The output layer favours whole words and never ends at once: a random model whose first
    # choice were </s> would caption nothing, and one that spelled single letters, nothing findable.
    out = _rand(rng, n_vocab, TEXT_DIM, scale=0.05)
    first_word = tokens.index("\u2581" + WORDS[0])
    out[first_word:] *= 20.0
    out[:4] = 0.0
    w.add_tensor("output.weight", out)
    _finish(w)
    return path


def write_projector(path: Path, seed: int = 1, text_dim: int = TEXT_DIM) -> Path:
    """A CLIP ViT with the LLaVA-1.5 "mlp" projector, as llama.cpp's clip loader reads it;
    `text_dim` other than TEXT_DIM makes a projector that does not fit the text model."""
    import gguf

    rng = np.random.default_rng(seed)
    n_patches = (IMAGE // PATCH) ** 2
    w = gguf.GGUFWriter(str(path), "clip")
    w.add_name("tiny-vision-test-mmproj")
    w.add_clip_has_vision_encoder(True)
    w.add_clip_projector_type("mlp")
    w.add_vision_image_size(IMAGE)
    w.add_vision_patch_size(PATCH)
    w.add_vision_embedding_length(VISION_DIM)
    w.add_vision_feed_forward_length(VISION_FF)
    w.add_vision_projection_dim(text_dim)
    w.add_vision_block_count(VISION_LAYERS)
    w.add_vision_head_count(VISION_HEADS)
    w.add_vision_attention_layernorm_eps(1e-5)
    w.add_vision_image_mean([0.48145466, 0.4578275, 0.40821073])
    w.add_vision_image_std([0.26862954, 0.26130258, 0.27577711])
    w.add_vision_use_gelu(True)

    d = VISION_DIM
    w.add_tensor("v.patch_embd.weight", _rand(rng, d, 3, PATCH, PATCH))
    w.add_tensor("v.class_embd", _rand(rng, d))
    w.add_tensor("v.position_embd.weight", _rand(rng, n_patches + 1, d))
    w.add_tensor("v.pre_ln.weight", np.ones(d, np.float32))
    w.add_tensor("v.pre_ln.bias", np.zeros(d, np.float32))
    for i in range(VISION_LAYERS):
        p = f"v.blk.{i}."
        for name in ("attn_q", "attn_k", "attn_v", "attn_out"):
            w.add_tensor(p + name + ".weight", _rand(rng, d, d, scale=0.1))
            w.add_tensor(p + name + ".bias", np.zeros(d, np.float32))
        for name in ("ln1", "ln2"):
            w.add_tensor(p + name + ".weight", np.ones(d, np.float32))
            w.add_tensor(p + name + ".bias", np.zeros(d, np.float32))
        w.add_tensor(p + "ffn_up.weight", _rand(rng, VISION_FF, d, scale=0.1))
        w.add_tensor(p + "ffn_up.bias", np.zeros(VISION_FF, np.float32))
        w.add_tensor(p + "ffn_down.weight", _rand(rng, d, VISION_FF, scale=0.1))
        w.add_tensor(p + "ffn_down.bias", np.zeros(d, np.float32))
    # the projector: mm.0 (vision width -> text width), GELU, mm.2 (text width -> text width)
    w.add_tensor("mm.0.weight", _rand(rng, text_dim, d, scale=0.1))
    w.add_tensor("mm.0.bias", np.zeros(text_dim, np.float32))
    w.add_tensor("mm.2.weight", _rand(rng, text_dim, text_dim, scale=0.1))
    w.add_tensor("mm.2.bias", np.zeros(text_dim, np.float32))
    _finish(w)
    return path


def _finish(w) -> None:
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def write_pair(folder: Path) -> tuple[Path, Path]:
    """(model, mmproj) in folder, as a user would set vision_model and vision_mmproj."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_text_model(folder / "tiny-vision.gguf"), write_projector(folder / "tiny-mmproj.gguf")


if __name__ == "__main__":
    print(*write_pair(Path(sys.argv[1] if len(sys.argv) > 1 else ".")), sep="\n")
