"""WebDataset shards: plain tar files, one sample as consecutive members `KEY.json`, `KEY.jpg`.

Written byte for byte the same every time: members in a fixed order, every header with the same
time (0), owner (0, no names) and mode, the ustar format (no extended headers that carry times),
and a new shard at a fixed count of samples or bytes. Two exports of one vault are therefore
identical files, and a checksum says whether a shard is the one the volunteer wrote.
"""
from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

MAX_SAMPLES = 1000  # per shard: a few hundred MB with keyframes, a good unit for data loaders
MAX_BYTES = 512 * 1024 * 1024
SHARD_NAME = "shard-{:06d}.tar"


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _member(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = 0
    info.mode = 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.type = tarfile.REGTYPE
    return info


class ShardWriter:
    """Samples in, shards out: `add` in the order they should appear, `close` for what was written."""

    def __init__(self, folder: Path, *, max_samples: int = MAX_SAMPLES, max_bytes: int = MAX_BYTES):
        self.folder = folder
        self.max_samples, self.max_bytes = max_samples, max_bytes
        self.shards: list[dict] = []
        self._tar: tarfile.TarFile | None = None
        self._samples = 0
        self._bytes = 0

    def add(self, key: str, files: dict[str, bytes]) -> None:
        """One sample: its files by extension ("json", "jpg"), written in sorted order."""
        size = sum(len(b) + 512 for b in files.values())
        if self._tar is not None and (self._samples >= self.max_samples or self._bytes + size > self.max_bytes):
            self._finish()
        if self._tar is None:
            path = self.folder / SHARD_NAME.format(len(self.shards))
            self._tar = tarfile.open(path, "w", format=tarfile.USTAR_FORMAT)
            self._samples = self._bytes = 0
        for ext in sorted(files):
            data = files[ext]
            self._tar.addfile(_member(f"{key}.{ext}", len(data)), io.BytesIO(data))
        self._samples += 1
        self._bytes += size

    def _finish(self) -> None:
        assert self._tar is not None
        path = Path(self._tar.name)
        self._tar.close()
        self._tar = None
        self.shards.append({"name": path.name, "samples": self._samples, "bytes": path.stat().st_size,
                            "sha256": sha256_of(path)})

    def close(self) -> list[dict]:
        if self._tar is not None:
            self._finish()
        return self.shards

    def abort(self) -> None:
        if self._tar is not None:
            self._tar.close()
            self._tar = None
