"""`sideload serve`: the local HTTP API over this vault, for other programs and automations."""
from __future__ import annotations

import argparse
import sys

from sideload.cli.common import context, emit
from sideload.errors import EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from sideload.serve import make_server

    server = make_server(context(args), args.host, args.port, allow_write=args.allow_write,
                         allow_remote=args.allow_remote)
    api = server.api
    doc = {"url": server.url, "token_file": str(server.token_path), "writes": api.allow_write, "family": api.family}
    emit(args, doc, lambda: None)  # one document at start, so a script learns the port it got
    mode = "read and write" if api.allow_write else "read-only"
    sys.stderr.write(f"sideload: serving {context(args).vault_dir} at {server.url} ({mode}); every request needs "
                     f"`Authorization: Bearer TOKEN`, the token is in {server.token_path}; Ctrl-C stops\n")
    if args.allow_write and api.family:
        sys.stderr.write("sideload: this is a preserved sideload in family mode: served read-only\n")
    if args.allow_remote:
        sys.stderr.write("sideload: --allow-remote: other machines can reach this server; the token and every "
                         "answer cross the network unencrypted (put it behind TLS)\n")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return EXIT_OK


def register(sub, common: argparse.ArgumentParser) -> None:
    from sideload.serve import DEFAULT_PORT

    p = sub.add_parser("serve", parents=[common],
                       help="a local HTTP API (search, moments, ask, predict, media) over a warm Sideload")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 picks a free one)")
    p.add_argument("--allow-write", action="store_true", help="also allow import and forget (never on a family vault)")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow listening on an address other machines can reach (refused otherwise)")
    p.set_defaults(func=cmd_serve)
