"""The single owner of every model engine in a process, and the one-heavy-job-at-a-time lock."""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from . import device as devices

log = logging.getLogger(__name__)


class ModelHub:
    """Loads each engine once, on first use, with the vault's settings.

    Engines are not thread-safe: callers do model work inside `with hub.heavy:` (one heavy job at a
    time; on 2 cores concurrent jobs ran up to ten times slower) from whichever thread owns the
    job. `threads` bounds every engine's thread pool.
    """

    def __init__(self, settings: Any):
        self.settings = settings
        self.threads = int(settings["threads"])
        self.device = devices.pick(settings["device"])
        self.heavy = threading.RLock()
        self._engines: dict[str, Any] = {}
        self._load_lock = threading.Lock()
        self._torch_threads_set = False
        # the served persona adapter (GGUF LoRA) that the chat model loads beside its base, if any
        self.lora_path: Path | None = None

    @property
    def torch_device(self) -> str:
        return "cuda" if self.device == "cuda" else "cpu"

    def torch_threads(self) -> None:
        self._torch_threads()

    def _torch_threads(self) -> None:
        if not self._torch_threads_set:
            import torch

            torch.set_num_threads(self.threads)
            self._torch_threads_set = True

    def _get(self, name: str, factory) -> Any:
        with self._load_lock:
            if name not in self._engines:
                log.info("loading %s on %s", name, self.device)
                self._engines[name] = factory()
            return self._engines[name]

    @property
    def whisper(self):
        from .transcribe import load_model

        return self._get("whisper", lambda: load_model(self.settings["whisper_model"] or None,
                                                        device=self.device, threads=self.threads))

    @property
    def voice(self):
        from .speaker import load_encoder

        def make():
            self._torch_threads()
            return load_encoder(self.device)

        return self._get("voice", make)

    @property
    def embedder(self):
        from .embed import Embedder

        def make():
            self._torch_threads()
            return Embedder(self.settings["embedding_model"] or None, device=self.device)

        return self._get("embedder", make)

    @property
    def frames(self):
        from .frames import FrameDescriber

        return self._get("frames", lambda: FrameDescriber(ocr_mode=self.settings["ocr"],
                                                           threads=self.threads))

    @property
    def llm(self):
        from .llm import LLM

        return self._get("llm", lambda: LLM(self.settings["llm_model"] or None, threads=self.threads,
                                            gpu=self.device == "cuda", lora_path=self.lora_path))

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
                from sideload.errors import SideloadError

                raise SideloadError(f"setting 'owner_voice_sample': {path} does not exist", kind="setting")
            return voiceprint(self.voice, decode_audio(path))

        return self._get("enrolled_voice", make)
