"""The one declarative settings schema: name, type, default and a one-line description each.

Settings live in the vault's settings.json; anything absent takes its default. Values are
validated on load and on set, and a bad value names the setting it belongs to.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from sideload.errors import SideloadError


@dataclass(frozen=True)
class Setting:
    name: str
    type: str  # str | path | int | float | bool | choice | time | list
    default: Any
    description: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    group: str = "general"
    path_kind: str = ""  # for a path: "file" or "folder", checked when it is set


SCHEMA: tuple[Setting, ...] = (
    # who the vault belongs to
    Setting("owner_name", "str", "", "The owner's name as it appears in chat exports; their lines count as the owner speaking.", group="owner"),
    Setting("owner_aliases", "list", [], "Other names the owner uses in chat exports (comma-separated on the command line).", group="owner"),
    Setting("owner_voice_sample", "path", "", "A recording of the owner alone speaking; without it the dominant voice of the vault is taken as the owner.", group="owner", path_kind="file"),
    # models
    Setting("whisper_model", "path", "", "Folder of a faster-whisper (CTranslate2) model; empty uses the shipped model chosen by whisper_bundled.", group="models", path_kind="folder"),
    Setting("whisper_bundled", "choice", "base", "The shipped Whisper model used when whisper_model is empty: base (multilingual, fewer mistakes) or tiny.en (English only, about twice as fast).", choices=("base", "tiny.en"), group="models"),
    Setting("whisper_language", "str", "", "Language code passed to Whisper (for example en) to force one language; empty finds it per stretch of speech, so a recording that switches language is heard in each (multilingual models; tiny.en is always English).", group="models"),
    Setting("whisper_beam_size", "int", 5, "Beam width of Whisper's decoder: 1 is fastest, 5 made fewer mistakes here at about 25 % more time.", minimum=1, maximum=10, group="models"),
    Setting("embedding_model", "path", "", "Folder of a sentence-transformers model; empty uses the bundled all-MiniLM-L6-v2.", group="models", path_kind="folder"),
    Setting("llm_model", "path", "", "A GGUF chat model for the persona; empty uses the bundled SmolLM2-135M-Instruct.", group="models", path_kind="file"),
    Setting("vision_model", "path", "", "A vision-language GGUF model (for example a LLaVA 1.5 GGUF) that captions a few keyframes of each video in a sentence; needs vision_mmproj; empty describes keyframes without one.", group="models", path_kind="file"),
    Setting("vision_mmproj", "path", "", "The vision encoder and projector GGUF (mmproj) that belongs to vision_model.", group="models", path_kind="file"),
    Setting("vision_frames", "int", 4, "At most this many keyframes of one video are captioned by vision_model (one per scene, spread over the file): each caption runs the whole model over the frame.", minimum=1, maximum=1000, group="models"),
    # hardware
    Setting("threads", "int", 2, "Threads a heavy model job may use (one heavy job runs at a time).", minimum=1, maximum=256, group="hardware"),
    Setting("device", "choice", "auto", "Where models run: auto uses a GPU when one is present, cpu never does.", choices=("auto", "cpu", "cuda"), group="hardware"),
    # import
    Setting("copy_originals", "bool", False, "Copy imported originals into the vault instead of referencing them where they are.", group="import"),
    Setting("import_exclude", "list", [], "Glob patterns of files or folders that import skips (for example */Private/*).", group="import"),
    Setting("keyframe_min_gap_s", "float", 3.0, "Minimum seconds between two keyframes of a video.", minimum=0.5, maximum=600, group="import"),
    Setting("keyframe_max_gap_s", "float", 60.0, "A static scene still gets a keyframe at least this often (seconds).", minimum=1, maximum=3600, group="import"),
    Setting("scene_threshold", "float", 0.12, "How different two sampled frames must be (0 to 1) to count as a scene change.", minimum=0.01, maximum=1, group="import"),
    Setting("ocr", "choice", "auto", "Read text in keyframes: auto only where a frame looks like it holds text, always, or off.", choices=("auto", "always", "off"), group="import"),
    Setting("frame_objects", "bool", True, "Name what is in view in each keyframe (an ImageNet classifier, EfficientNet-Lite0): things and places such as a dining table or a restaurant.", group="import"),
    Setting("speaker_threshold", "float", 0.80, "Voice similarity (0 to 1) above which a voice counts as the owner's.", minimum=0, maximum=1, group="import"),
    Setting("max_speech_moment_s", "float", 30.0, "Longest speech moment in seconds; longer talk is split at sentence ends.", minimum=5, maximum=600, group="import"),
    # consolidation
    Setting("nightly_time", "time", "03:00", "Local time (HH:MM) of the nightly consolidation.", group="consolidation"),
    Setting("watch_folders", "list", [], "Folders (a camera card, a phone backup) whose new files the nightly consolidation imports.", group="consolidation"),
    Setting("import_exclude_ranges", "list", [], "Time ranges that import skips, each START/END in ISO form (for example 2026-03-02T18:00/2026-03-02T23:00 or a whole day 2026-03-02/2026-03-02).", group="import"),
    Setting("train", "bool", True, "Train the person-conditioned adapter during consolidation.", group="persona"),
    Setting("train_token_budget", "int", 200_000, "Tokens of the owner's words (new plus replayed) one night trains on.", minimum=256, maximum=100_000_000, group="persona"),
    Setting("train_replay_share", "float", 0.25, "Share of a night's tokens replayed from older words, so the persona does not forget them.", minimum=0, maximum=0.9, group="persona"),
    Setting("train_rank", "int", 16, "LoRA rank of the persona adapter (bigger learns more, trains slower).", minimum=1, maximum=256, group="persona"),
    Setting("train_learning_rate", "float", 0.001, "Learning rate of adapter training.", minimum=1e-6, maximum=0.1, group="persona"),
    Setting("train_on_private", "bool", False, "Also train on moments marked private (they are never exported either way).", group="persona"),
    Setting("heldout_tokens", "int", 6000, "Tokens of the owner's newest words held out to score each new adapter before it may serve.", minimum=200, maximum=1_000_000, group="persona"),
    Setting("imitation_model", "path", "", "A GGUF chat model, other than the persona's own, that writes imitations of the owner's words for the likeness test when the vault holds no one else's words; empty skips that test then.", group="persona", path_kind="file"),
    # a Ray cluster (import --engine ray)
    Setting("ray_address", "str", "", "Ray cluster that `import --engine ray` joins (HOST:PORT, or auto for one already running here); empty starts a Ray runtime on this machine for the import and stops it afterwards.", group="cluster"),
    Setting("ray_workers", "int", 0, "Pipeline workers `import --engine ray` starts, each holding its own models; 0 starts as many as the cluster fits (one per `threads` CPUs; on GPU nodes they share the GPUs).", minimum=0, maximum=100_000, group="cluster"),
    # research dataset (`sideload dataset export`)
    Setting("dataset_consenting_people", "list", [], "People (names as in chats or as named voices) who consented to their words being in a research dataset export; anyone else's words are replaced by a marker.", group="dataset"),
    # storage: how long originals are kept whole (applied by consolidation; `sideload storage --plan` shows it first)
    Setting("retention_originals_months", "int", 0, "Keep original videos whole for this many months after they were recorded; 0 keeps them forever.", minimum=0, maximum=1200, group="storage"),
    Setting("retention_action", "choice", "keep", "What retention does with an original video older than retention_originals_months: keep it, reduce it to a low-bitrate copy in the vault (keyframes and transcripts stay), or delete it (only with retention_allow_delete).", choices=("keep", "reduce", "delete"), group="storage"),
    Setting("retention_allow_delete", "bool", False, "Let retention delete originals: needed for the delete action, and for reducing originals kept outside the vault (otherwise never touched).", group="storage"),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SCHEMA}
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _bad(setting: Setting, value: Any, why: str) -> SideloadError:
    return SideloadError(f"setting '{setting.name}': {why} (got {value!r})", kind="setting",
                         hint=setting.description)


def coerce(setting: Setting, value: Any) -> Any:
    """Validate `value` (from JSON or from a command line string) for `setting`."""
    t = setting.type
    if t in ("str", "path"):
        if not isinstance(value, str):
            raise _bad(setting, value, "expected text")
        if t == "path" and value:
            value = str(Path(value).expanduser())
        return value
    if t == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "yes", "on", "1", "false", "no", "off", "0"):
            return value.lower() in ("true", "yes", "on", "1")
        raise _bad(setting, value, "expected true or false")
    if t in ("int", "float"):
        cast: Callable[[Any], Any] = int if t == "int" else float
        if isinstance(value, bool):
            raise _bad(setting, value, "expected a number")
        try:
            number = cast(value)
        except (TypeError, ValueError):
            raise _bad(setting, value, f"expected {'a whole number' if t == 'int' else 'a number'}") from None
        if setting.minimum is not None and number < setting.minimum:
            raise _bad(setting, value, f"must be at least {setting.minimum:g}")
        if setting.maximum is not None and number > setting.maximum:
            raise _bad(setting, value, f"must be at most {setting.maximum:g}")
        return number
    if t == "choice":
        if value not in setting.choices:
            raise _bad(setting, value, f"must be one of {', '.join(setting.choices)}")
        return value
    if t == "time":
        if not isinstance(value, str) or not _TIME.match(value):
            raise _bad(setting, value, "expected a time of day as HH:MM")
        return value
    if t == "list":
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _bad(setting, value, "expected a list of text")
        return value
    raise AssertionError(f"unknown setting type {t}")


def check_path(setting: Setting, value: str) -> None:
    path = Path(value)
    if not path.exists():
        raise _bad(setting, value, "no such file or folder")
    if setting.path_kind == "file" and not path.is_file():
        raise _bad(setting, value, "expected a file, not a folder")
    if setting.path_kind == "folder" and not path.is_dir():
        raise _bad(setting, value, "expected a folder, not a file")
    if setting.name in ("llm_model", "vision_model", "vision_mmproj"):
        with open(path, "rb") as fh:
            if fh.read(4) != b"GGUF":
                raise _bad(setting, value, "not a GGUF model file")


class Settings:
    """The settings of one vault, validated; unknown keys are kept but ignored."""

    def __init__(self, path: Path):
        self.path = path
        self._values: dict[str, Any] = {}
        self._extra: dict[str, Any] = {}
        if path.exists():
            try:
                raw = json.loads(path.read_text(encoding="utf-8") or "{}")
            except json.JSONDecodeError as exc:
                raise SideloadError(f"the settings file {path} is not valid JSON ({exc})", kind="setting") from None
            if not isinstance(raw, dict):
                raise SideloadError(f"the settings file {path} must hold a JSON object", kind="setting")
            for key, value in raw.items():
                if key in BY_NAME:
                    self._values[key] = coerce(BY_NAME[key], value)
                else:
                    self._extra[key] = value

    def __getitem__(self, name: str) -> Any:
        setting = BY_NAME[name]
        value = self._values.get(name, setting.default)
        return list(value) if isinstance(value, list) else value

    def get(self, name: str) -> Any:
        if name not in BY_NAME:
            raise SideloadError(f"there is no setting called '{name}'", kind="setting",
                                hint="`sideload settings` lists them")
        return self[name]

    def set(self, name: str, value: Any) -> None:
        """Set a value (saved by `save`). A path is checked here, when it is set: a model setting that
        points nowhere is refused now, naming itself, rather than failing later inside a job. On load a
        missing path is kept (a drive may be unplugged) and reported where it is used."""
        if name not in BY_NAME:
            raise SideloadError(f"there is no setting called '{name}'", kind="setting",
                                hint="`sideload settings` lists them")
        setting = BY_NAME[name]
        value = coerce(setting, value)
        if setting.path_kind and value:
            check_path(setting, value)
        self._values[name] = value

    def start_from(self, path: Path) -> None:
        """A new vault's first settings: the user's own defaults for new vaults, where there are any.
        A bad file is refused naming it, before the vault is half made."""
        if not path.is_file():
            return
        try:
            raw = json.loads(path.read_text(encoding="utf-8") or "{}")
        except (OSError, json.JSONDecodeError) as exc:
            raise SideloadError(f"the settings for new vaults in {path} cannot be read ({exc})", kind="setting",
                                hint="fix or remove that file") from None
        if not isinstance(raw, dict):
            raise SideloadError(f"the settings for new vaults in {path} must hold a JSON object", kind="setting")
        for key, value in raw.items():
            if key not in BY_NAME:
                raise SideloadError(f"the settings for new vaults in {path} name no setting called '{key}'",
                                    kind="setting", hint="`sideload settings` lists them")
            self.set(key, value)

    def as_dict(self) -> dict[str, Any]:
        return {s.name: self[s.name] for s in SCHEMA}

    def save(self) -> None:
        data = {**self._extra, **self._values}
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)


def defaults() -> dict[str, Any]:
    return {s.name: s.default for s in SCHEMA}
