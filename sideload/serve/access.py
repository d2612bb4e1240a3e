"""Who may reach the server: a bind address checked against the loopback, and a bearer token.

The token is made once per vault on the first `sideload serve` (32 random bytes, URL-safe) and kept
in the vault, readable by the owner only, so an automation on the same machine reads it from there.
A vault on read-only media (a family sideload on a DVD) cannot hold it: its token is kept in the
per-user data folder instead, keyed by the vault's path.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
import socket
from pathlib import Path

from sideload import paths
from sideload.errors import SideloadError


def token_file(vault_paths: paths.VaultPaths) -> Path:
    if vault_paths.serve_token.exists() or os.access(vault_paths.root, os.W_OK):
        return vault_paths.serve_token
    key = hashlib.sha256(str(vault_paths.root).encode()).hexdigest()[:24]
    return paths.user_data_dir() / "serve-tokens" / f"{key}.token"


def ensure_token(vault_paths: paths.VaultPaths) -> tuple[str, Path]:
    """The vault's token and where it is kept, made on first use (0600: the owner reads it, nobody else)."""
    path = token_file(vault_paths)
    if path.exists():
        token = path.read_text(encoding="ascii").strip()
        if len(token) >= 32:
            if path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)  # a copy that lost its mode: others must not read it
            return token, path
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(token + "\n")
    os.replace(tmp, path)
    return token, path


def authorised(header: str | None, token: str) -> bool:
    """`Authorization: Bearer TOKEN`, compared in constant time."""
    if not header or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header[len("Bearer "):].strip().encode(), token.encode())


def is_loopback(host: str) -> bool:
    """True when every address the host name stands for is on this machine only."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


def check_bind(host: str, allow_remote: bool) -> None:
    """A non-loopback address is refused unless the owner said so explicitly: the API hands out a
    life's moments, and the token travels in clear over plain HTTP."""
    if is_loopback(host) or allow_remote:
        return
    raise SideloadError(f"refusing to serve on {host}: it is reachable from other machines", kind="usage",
                        hint="serve on 127.0.0.1 (the default), or add --allow-remote if other machines "
                             "should reach it (the token then crosses the network unencrypted)")
