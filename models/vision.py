"""A user's own vision-language model captioning keyframes: a GGUF pair set in `vision_model` (the
language model) and `vision_mmproj` (its vision encoder and projector), run through
llama-cpp-python's multimodal chat handler (llama.cpp's mtmd library).

No package ships such a model, so this is the upgrade path a user opts into; the tests prove it
with a tiny pair they generate (tests/tiny_vision_gguf.py). A 7B vision model on two CPU cores
takes tens of seconds a frame, so only a few keyframes of a file are captioned: one per scene (a
keyframe that looks like the last captioned one adds nothing), at most `vision_frames` per file,
spread over the file.
"""
from __future__ import annotations

import base64
import collections
import ctypes
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

# Short on purpose: every token of the prompt is read again for every frame.
SYSTEM = "You describe what a wearable camera sees, plainly, in one short sentence."
PROMPT = "What is in view?"
MAX_SIDE = 672  # pixels: LLaVA reads 336 px anyway, and Qwen2-VL's image tokens grow with the size
MAX_TOKENS = 48
N_CTX = 2048

# llama.cpp's clip/mtmd loader says why it failed only in its log; the last lines are kept for the
# error message a user reads (the callback must stay referenced while the library may call it).
_log_lines: collections.deque[str] = collections.deque(maxlen=8)
_log_callback = None


def _quiet_mtmd_log() -> None:
    global _log_callback
    if _log_callback is not None:
        return
    import llama_cpp
    import llama_cpp.mtmd_cpp as mtmd

    @llama_cpp.llama_log_callback
    def keep(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        if level in (3, 4):  # ggml: 3 warning, 4 error; debug, information and continued lines are dropped
            _log_lines.append(text.decode("utf-8", errors="replace"))

    _log_callback = keep
    mtmd.mtmd_log_set(keep, ctypes.c_void_p(0))
    mtmd.mtmd_helper_log_set(keep, ctypes.c_void_p(0))


def loader_said() -> str:
    """The loader's last complaint, for an error message ('' when it said nothing)."""
    lines = [" ".join(line.split()) for line in _log_lines if line.strip()]
    return lines[-1] if lines else ""


def describer_label(model: str, mmproj: str) -> str:
    """The vision describer's name from the two settings alone, so the app can say a vision model is
    active without loading it; '' when the pair is not set."""
    return f"vision model {Path(model).name}" if model and mmproj else ""


class VisionLoadError(Exception):
    """The pair could not be loaded; `setting` names the file at fault."""

    def __init__(self, setting: str, message: str):
        super().__init__(message)
        self.setting = setting


def is_gguf(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) == b"GGUF"


class VisionCaptioner:
    """One `Llama` with its multimodal handler. Not thread-safe: callers hold `hub.heavy`, and a
    private lock keeps even a careless caller from running two frames in one context at once."""

    def __init__(self, model_path: Path, mmproj_path: Path, *, threads: int = 2, gpu: bool = False):
        from models.llama_load import open_llama
        from llama_cpp.llama_chat_format import Llava15ChatHandler, MTMDChatHandler

        self.model_path, self.mmproj_path = Path(model_path), Path(mmproj_path)
        for setting, path in (("vision_model", self.model_path), ("vision_mmproj", self.mmproj_path)):
            if not path.is_file():
                raise VisionLoadError(setting, f"{path} does not exist")
            if not is_gguf(path):
                raise VisionLoadError(setting, f"{path} is not a GGUF file")
        _quiet_mtmd_log()
        _log_lines.clear()
        try:
            self.llm = open_llama(model_path=str(self.model_path), n_ctx=N_CTX, n_threads=threads,
                               n_gpu_layers=-1 if gpu else 0, verbose=False)
        except (ValueError, RuntimeError, OSError) as exc:
            raise VisionLoadError("vision_model", f"{self.model_path} could not be loaded as a GGUF "
                                                  f"language model ({exc})") from None
        # A model that carries its own chat template (Qwen2-VL, Gemma 3, SmolVLM...) is prompted in
        # it; LLaVA 1.5 files carry none and use LLaVA's USER/ASSISTANT format.
        self.templated = bool(self.llm.metadata.get("tokenizer.chat_template"))
        self.format = "model's chat template" if self.templated else "LLaVA 1.5"
        # The projector is read now, not at the first frame of an import, so a file that does not
        # fit the model is an error naming its setting before any work is done (older releases of
        # llama-cpp-python read it in the handler's constructor, newer ones on first use).
        try:
            if self.templated:
                self.handler = MTMDChatHandler(clip_model_path=str(self.mmproj_path), verbose=False, use_gpu=gpu)
            else:
                self.handler = Llava15ChatHandler(clip_model_path=str(self.mmproj_path), verbose=False)
            self.llm.chat_handler = self.handler
            init = getattr(self.handler, "_init_mtmd_context", None)
            if init is not None:
                init(self.llm)
        except (ValueError, RuntimeError, OSError) as exc:
            said = loader_said()
            self.close()
            raise VisionLoadError("vision_mmproj", f"{self.mmproj_path} could not be loaded as the vision "
                                                   f"projector of {self.model_path.name} ({exc}"
                                                   + (f": {said}" if said else "") + ")") from None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """What each captioned keyframe's meta and the app call this describer."""
        return describer_label(str(self.model_path), str(self.mmproj_path))

    def caption(self, rgb: np.ndarray) -> str:
        """One sentence of what is in view; '' when the model says nothing usable."""
        url = "data:image/jpeg;base64," + base64.b64encode(_jpeg(rgb)).decode("ascii")
        image = {"type": "image_url", "image_url": {"url": url}}
        if self.templated:  # some templates refuse a system turn: the instruction goes with the image
            messages = [{"role": "user", "content": [image, {"type": "text", "text": f"{SYSTEM} {PROMPT}"}]}]
        else:
            messages = [{"role": "system", "content": SYSTEM},
                        {"role": "user", "content": [image, {"type": "text", "text": PROMPT}]}]
        with self._lock:
            out = self.llm.create_chat_completion(messages=messages, max_tokens=MAX_TOKENS,
                                                  temperature=0.0, repeat_penalty=1.1)
        return clean(out["choices"][0]["message"].get("content") or "")

    def close(self) -> None:
        llm = getattr(self, "llm", None)
        if llm is not None:
            # The handler frees its mtmd context on the model's exit stack; not "verbose", it would
            # first point the process's stdout and stderr at /dev/null, which fails late at exit and
            # swallows other threads' output meanwhile. Its log goes to _quiet_mtmd_log's callback.
            if getattr(self, "handler", None) is not None:
                self.handler.verbose = True
            llm.close()
            self.llm = None


def clean(text: str) -> str:
    """The first line, whitespace collapsed, at most 200 characters, ending at a word."""
    line = next((ln for ln in text.strip().splitlines() if ln.strip()), "")
    line = " ".join(line.split())
    if len(line) > 200:
        line = line[:200].rsplit(" ", 1)[0]
    return line


def _jpeg(rgb: np.ndarray) -> bytes:
    import cv2

    h, w = rgb.shape[:2]
    scale = MAX_SIDE / max(h, w)
    if scale < 1:
        rgb = cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90])
    if not ok:
        raise ValueError("the frame could not be encoded as JPEG")
    return buf.tobytes()


def frames_to_caption(keyframes: Sequence, *, limit: int, threshold: float) -> list[int]:
    """Which keyframes (models.frames.Keyframe) the vision model captions: the first of each scene
    (one as different from the last chosen as a scene change; a static scene's later keyframes add
    nothing), at most `limit`, spread evenly over the file when there are more scenes than that."""
    from .frames import frame_difference, signature

    if limit <= 0:
        return []
    scenes: list[int] = []
    last = None
    for i, kf in enumerate(keyframes):
        sig = signature(kf.image())
        if last is None or frame_difference(sig, last) >= threshold:
            scenes.append(i)
            last = sig
    if len(scenes) <= limit:
        return scenes
    picks = np.linspace(0, len(scenes) - 1, limit).round().astype(int)
    return [scenes[i] for i in sorted(set(picks.tolist()))]
