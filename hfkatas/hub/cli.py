"""`python -m hfkatas.hub serve --port 8000 --data DIR [--token NAME:ROLE:SECRET ...]`.

The first line printed is the URL to put in `HF_ENDPOINT`. Ctrl-C or SIGTERM stop it cleanly.
`katas hub serve` calls `main`.
"""

from __future__ import annotations

import argparse
import logging
import signal
from pathlib import Path

from .app import create_app
from .auth import DEFAULT_TOKEN, DEFAULT_USER, Token
from .server import LOOPBACK, bind, make_server, url_of


def token_argument(spec: str) -> Token:
    """`--token NAME:ROLE:SECRET`, with the reason when it is malformed."""
    try:
        return Token.parse(spec)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    root = argparse.ArgumentParser(prog="katas hub", description="A local Hugging Face Hub.")
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the Hub API on loopback")
    serve.add_argument("--port", type=int, default=8000, help="TCP port (0: any free port)")
    serve.add_argument("--host", default=LOOPBACK, help="address to listen on (default loopback)")
    serve.add_argument("--data", type=Path, required=True, help="folder holding the repos")
    serve.add_argument(
        "--token",
        action="append",
        type=token_argument,
        default=[],
        metavar="NAME:ROLE:SECRET",
        help=f"a user token, ROLE read or write (repeatable; default: "
        f"{DEFAULT_USER}:write:{DEFAULT_TOKEN})",
    )
    serve.add_argument("--access-log", action="store_true", help="log every request")
    return root


def main(argv: list[str]) -> int:
    """Run the command; returns the exit status."""
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.access_log else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    server = make_server(create_app(args.data, tuple(args.token)), access_log=args.access_log)
    # uvicorn handles these signals while it serves (graceful shutdown), then re-raises them.
    # This handler covers the moments before and after: stop, and exit with status 0 rather
    # than a KeyboardInterrupt traceback. Installed before the URL is printed.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: setattr(server, "should_exit", True))
    sock = bind(args.host, args.port)
    print(url_of(sock), flush=True)
    server.run(sockets=[sock])
    return 0
