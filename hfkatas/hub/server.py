"""Running the app under uvicorn on a socket bound beforehand (so port 0 works and is known)."""

from __future__ import annotations

import socket

import uvicorn
from starlette.applications import Starlette

LOOPBACK = "127.0.0.1"


def bind(host: str = LOOPBACK, port: int = 0) -> socket.socket:
    """A listening TCP socket on `host:port` (port 0: any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    """The base URL clients use to reach `sock`."""
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


def make_server(app: Starlette, *, access_log: bool = False) -> uvicorn.Server:
    """A uvicorn server for `app` (no lifespan). It logs through the `logging` set-up of its host
    process (the CLI's, or pytest's capture) instead of installing its own."""
    config = uvicorn.Config(
        app, lifespan="off", log_config=None, access_log=access_log, timeout_graceful_shutdown=5
    )
    return uvicorn.Server(config)
