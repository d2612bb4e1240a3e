"""`sideload serve`: a local HTTP API over one warm application context.

Other programs and automations on the machine ask a Sideload that is already warm (its embedding
model loaded, its index open) instead of starting one per question. A face beside the command line:
it imports the context and the documents below it, never the CLI; the CLI starts it.

- `access`: the bind address (loopback unless told otherwise) and the bearer token kept in the vault;
- `engines`: one engine thread for search and answers, one write at a time;
- `routes`: the endpoints, each returning the document the command line prints;
- `http`: the transport (JSON, server-sent events, byte ranges).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sideload.serve.http import SideloadServer

DEFAULT_PORT = 8765


def make_server(context, host: str = "127.0.0.1", port: int = DEFAULT_PORT, *, allow_write: bool = False,
                allow_remote: bool = False, warm: bool = True) -> "SideloadServer":
    """A server bound and ready (`serve_forever()` runs it, `close()` stops it); nothing is served
    before the bind address is checked and the vault's token exists. (Imported here, not above: the
    command line registers `serve` in every run and must not pay for the HTTP server then.)"""
    from sideload.serve.access import check_bind, ensure_token
    from sideload.serve.engines import EngineHost
    from sideload.serve.http import bind
    from sideload.serve.routes import Api

    check_bind(host, allow_remote)
    with context.open() as vault:  # a missing vault is refused here, before anything listens
        vault_paths = vault.paths
    token, token_path = ensure_token(vault_paths)
    engines = EngineHost(context)
    api = Api(context, engines, allow_write=allow_write)
    server = bind(api, host, port, token, token_path)
    if warm:
        engines.warm()
    return server


__all__ = ["DEFAULT_PORT", "make_server"]
