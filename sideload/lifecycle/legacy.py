"""Preserve and hand over: an encrypted, portable sideload, opened later without any server.

File layout: a magic line, a JSON header (key derivation, the wrapped data key, the trustees'
threshold), then the vault as a tar stream cut into chunks, each sealed with AES-256-GCM under a
random data key. A chunk's associated data binds it to the header, its position and whether it is
the last, so reordering, truncation or a flipped byte are all refused. The data key is wrapped with
a key derived from the passphrase (scrypt), and can also be rebuilt from any k of n trustees'
shares (Shamir secret sharing, pycryptodome), printable as text. Nothing is held whole in memory,
and opening writes nothing until every chunk has been verified.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import struct
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from sideload.errors import SideloadError
from sideload.store import family_copy

MAGIC = b"SIDELOAD-LEGACY 1\n"
CHUNK = 1 << 20
SCRYPT = {"n": 2 ** 15, "r": 8, "p": 1}


def _kek(passphrase: str, salt: bytes, params: dict) -> bytes:
    return Scrypt(salt=salt, length=32, n=params["n"], r=params["r"], p=params["p"]).derive(passphrase.encode())


class _SealedWriter(io.RawIOBase):
    """A write-only stream that seals every CHUNK bytes as one AES-GCM chunk."""

    def __init__(self, out: BinaryIO, key: bytes, header_digest: bytes):
        self.out, self.aead, self.digest = out, AESGCM(key), header_digest
        self.buf = bytearray()
        self.index = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.buf += data
        while len(self.buf) > CHUNK:
            self._seal(bytes(self.buf[:CHUNK]), final=False)
            del self.buf[:CHUNK]
        return len(data)

    def _seal(self, plain: bytes, final: bool) -> None:
        nonce = secrets.token_bytes(12)
        aad = self.digest + struct.pack(">QB", self.index, final)
        sealed = self.aead.encrypt(nonce, plain, aad)
        self.out.write(struct.pack(">I", len(sealed)) + nonce + sealed)
        self.index += 1

    def finish(self) -> None:
        self._seal(bytes(self.buf), final=True)
        self.buf.clear()


def _stage(vault, staging: Path, media: str) -> int:
    """A released copy of the vault: no private moments, no chats, marked as a legacy."""
    from sideload.store.index import VectorIndex, index_pending
    from sideload.store.vectors import VectorStore

    staging.mkdir(parents=True)
    dst = family_copy.open_copy(vault.db, staging / "sideload.db")
    family_copy.drop_private(dst)
    adapter = _released_adapter(vault)
    family_copy.keep_only_adapter(dst, adapter["adapter_id"] if adapter else None)
    if adapter:
        (staging / "derived" / "adapters").mkdir(parents=True)
        shutil.copyfile(vault.paths.adapters_dir / adapter["gguf_file"], staging / "derived" / "adapters" / adapter["gguf_file"])
    family_copy.drop_files_without_moments(dst)
    family_copy.mark_unindexed(dst)
    model = _persona_model(vault, adapter)
    meta = {"legacy": "1", "exported_at": datetime.now().isoformat(timespec="seconds"),
            "owner": vault.settings["owner_name"], "persona_model": json.dumps(model)}
    family_copy.write_meta(dst, meta)
    if media == "all":
        _copy_media(dst, staging)
    family_copy.compact(dst)
    hashes = family_copy.hash_prefixes(dst)
    for sub in ("keyframes", "thumbnails"):
        src = vault.paths.derived_dir / sub
        for folder in (src.iterdir() if src.exists() else []):
            if folder.name in hashes:
                shutil.copytree(folder, staging / "derived" / sub / folder.name)
    index_pending(dst, VectorIndex(staging / "index"), store=VectorStore(staging / "derived" / "vectors.f16"))
    n = family_copy.moment_count(dst)
    family_copy.close_copy(dst)
    (staging / "settings.json").write_text(json.dumps({"owner_name": vault.settings["owner_name"]}))
    return n


def _copy_media(dst, staging: Path) -> None:
    """The originals travel inside, each renamed by its content hash, and the copy points at them."""
    (staging / "media").mkdir()
    for fid, h, path in family_copy.media_files(dst):
        src = Path(path)
        if src.exists():
            rel = f"media/{h[:24]}{src.suffix.lower()}"
            shutil.copyfile(src, staging / rel)
            family_copy.point_file_at(dst, fid, rel)


def _released_adapter(vault) -> dict | None:
    """The served adapter goes along unless it learnt from moments the owner keeps private."""
    from sideload.persona.serving import served

    row = served(vault.db)
    if not row or not row["gguf_file"] or not (vault.paths.adapters_dir / row["gguf_file"]).exists():
        return None
    if family_copy.learnt_from_private(vault.db, row["adapter_id"]):
        return None
    return row


def _persona_model(vault, adapter: dict | None = None) -> dict:
    """The base model's name and checksum travel with the persona, so it cannot drift."""
    from sideload.persona.serving import base_checksum, base_model_path

    path = base_model_path(vault.settings)
    released = None
    if adapter:
        from models.lora import file_sha256

        released = {"version": adapter["adapter_id"], "file": adapter["gguf_file"],
                    "sha256": file_sha256(vault.paths.adapters_dir / adapter["gguf_file"]),
                    "ppl_base": adapter["ppl_base"], "ppl_new": adapter["ppl_new"]}
    return {"name": path.name, "sha256": base_checksum(path), "adapter": released}


def export(vault, out: Path, passphrase: str, *, media: str = "none", trustees: int = 0,
           threshold: int = 0) -> tuple[int, list[str]]:
    if len(passphrase) < 8:
        raise SideloadError("the passphrase must have at least 8 characters", kind="usage")
    if trustees and not 2 <= threshold <= trustees <= 255:
        raise SideloadError("shares need 2 <= threshold <= trustees", kind="usage")
    key = secrets.token_bytes(32)
    salt = secrets.token_bytes(16)
    wrap_nonce = secrets.token_bytes(12)
    bundle = secrets.token_hex(8)
    header = {"version": 1, "bundle": bundle, "kdf": {"name": "scrypt", "salt": salt.hex(), **SCRYPT},
              "wrap_nonce": wrap_nonce.hex(),
              "wrapped_key": AESGCM(_kek(passphrase, salt, SCRYPT)).encrypt(wrap_nonce, key, bundle.encode()).hex(),
              "shares": {"threshold": threshold, "count": trustees} if trustees else None}
    header_bytes = json.dumps(header, sort_keys=True).encode()
    out = Path(out).expanduser().resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = out.with_name(out.name + ".part")
    with tempfile.TemporaryDirectory(prefix="sideload-export-", dir=vault.paths.root) as tmp:
        staging = Path(tmp) / "vault"
        n = _stage(vault, staging, media)
        with open(tmp_out, "wb") as fh:
            fh.write(MAGIC + struct.pack(">I", len(header_bytes)) + header_bytes)
            writer = _SealedWriter(fh, key, hashlib.sha256(header_bytes).digest())
            with tarfile.open(fileobj=writer, mode="w|") as tar:
                tar.add(staging, arcname="vault")
            writer.finish()
    os.replace(tmp_out, out)
    shares = _split(key, bundle, trustees, threshold) if trustees else []
    return n, shares


def _split(key: bytes, bundle: str, n: int, k: int) -> list[str]:
    from Crypto.Protocol.SecretSharing import Shamir

    halves = [Shamir.split(k, n, key[:16]), Shamir.split(k, n, key[16:])]
    return [f"sideload-share {bundle} {i}/{n} needs {k}: {a.hex()}{b.hex()}"
            for (i, a), (_, b) in zip(*halves)]


def _join(shares: list[str], bundle: str, threshold: int) -> bytes:
    from Crypto.Protocol.SecretSharing import Shamir

    parsed = []
    for text in shares:
        parts = text.strip().split()
        if len(parts) != 6 or parts[0] != "sideload-share":
            raise SideloadError("a share must be one line starting with 'sideload-share'", kind="usage")
        if parts[1] != bundle:
            raise SideloadError("a share belongs to another sideload", kind="usage")
        try:
            idx = int(parts[2].split("/")[0])
            blob = bytes.fromhex(parts[5])
        except ValueError:
            raise SideloadError("a share is damaged (its number or its key part cannot be read)", kind="usage") from None
        if len(blob) != 32:
            raise SideloadError("a share is damaged (its key part has the wrong length)", kind="usage")
        parsed.append((idx, blob[:16], blob[16:]))
    if len({p[0] for p in parsed}) < threshold:
        raise SideloadError(f"{threshold} different shares are needed to open this sideload "
                            f"(got {len({p[0] for p in parsed})})", kind="passphrase")
    return (Shamir.combine([(i, a) for i, a, _ in parsed]) + Shamir.combine([(i, b) for i, _, b in parsed]))


def read_header(fh: BinaryIO) -> tuple[dict, bytes]:
    if fh.read(len(MAGIC)) != MAGIC:
        raise SideloadError("this is not a preserved Sideload file", kind="corrupt")
    (length,) = struct.unpack(">I", fh.read(4))
    raw = fh.read(length)
    try:
        return json.loads(raw), raw
    except json.JSONDecodeError:
        raise SideloadError("the preserved sideload's header is damaged", kind="corrupt") from None


def write_shares(shares: list[str], folder: Path, stem: str) -> list[Path]:
    """Each trustee's share in a file of its own, readable by the owner only (0600)."""
    folder = Path(folder).expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i, share in enumerate(shares, 1):
        p = folder / f"{stem}.share-{i}-of-{len(shares)}.txt"
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(share + "\n")
        os.chmod(p, 0o600)  # a file that existed before keeps no wider mode
        written.append(p)
    return written


def read_shares(files: list[Path]) -> list[str]:
    out = []
    for f in files:
        try:
            out.append(Path(f).expanduser().read_text(encoding="utf-8").strip())
        except (OSError, UnicodeDecodeError) as exc:
            raise SideloadError(f"the share file {f} cannot be read ({getattr(exc, 'strerror', None) or exc})",
                                kind="usage") from None
    return out


def open_legacy(path: Path, dest: Path, *, passphrase: str | None = None,
                shares: list[str] | None = None) -> dict[str, int]:
    """Verify and unpack a preserved sideload into `dest`; nothing is written unless all of it is sound.
    Returns its counts (files, moments, days)."""
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise SideloadError(f"{path} does not exist", kind="input")
    if dest.exists() and not dest.is_dir():
        raise SideloadError(f"{dest} exists and is not a folder: choose another place with --to", kind="usage")
    with open(path, "rb") as fh:
        header, raw = read_header(fh)
        if shares:
            key = _join(shares, header["bundle"], (header.get("shares") or {}).get("threshold", 2))
        elif passphrase is not None:
            kdf = header["kdf"]
            try:
                key = AESGCM(_kek(passphrase, bytes.fromhex(kdf["salt"]), kdf)).decrypt(
                    bytes.fromhex(header["wrap_nonce"]), bytes.fromhex(header["wrapped_key"]), header["bundle"].encode())
            except InvalidTag:
                raise SideloadError("wrong passphrase: the sideload was not opened and nothing was written",
                                    kind="passphrase") from None
        else:
            raise SideloadError("a passphrase or the trustees' shares are needed", kind="usage")
        aead = AESGCM(key)
        digest = hashlib.sha256(raw).digest()
        if dest.exists() and any(dest.iterdir()):
            raise SideloadError(f"{dest} is not empty", kind="usage")
        dest.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".legacy-", dir=dest.parent) as tmp:
            tar_path = Path(tmp) / "vault.tar"
            index, final = 0, False
            with open(tar_path, "wb") as plain:
                while not final:
                    head = fh.read(4)
                    if len(head) < 4:
                        raise SideloadError("the preserved sideload is truncated: it was not opened", kind="corrupt")
                    (length,) = struct.unpack(">I", head)
                    nonce, sealed = fh.read(12), fh.read(length)
                    if len(sealed) < length:
                        raise SideloadError("the preserved sideload is truncated: it was not opened", kind="corrupt")
                    for is_final in (False, True):
                        try:
                            plain.write(aead.decrypt(nonce, sealed, digest + struct.pack(">QB", index, is_final)))
                            final = is_final
                            break
                        except InvalidTag:
                            continue
                    else:
                        raise SideloadError("the preserved sideload has been altered or damaged (chunk "
                                            f"{index} fails its check): it was not opened", kind="corrupt")
                    index += 1
            if fh.read(1):
                raise SideloadError("the preserved sideload has data after its end: it was not opened", kind="corrupt")
            unpacked = Path(tmp) / "out"
            with tarfile.open(tar_path) as tar:
                tar.extractall(unpacked, filter="data")
            counts = family_copy.settle(unpacked / "vault" / "sideload.db", dest)
            shutil.rmtree(dest, ignore_errors=True)
            os.replace(unpacked / "vault", dest)
    return counts
