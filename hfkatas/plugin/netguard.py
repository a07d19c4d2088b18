"""Refuse network connections that leave the machine (tests may only talk to loopback)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex
_original_getaddrinfo = socket.getaddrinfo
LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


class NetworkBlockedError(ConnectionRefusedError):
    """Raised when code under test tries to reach a non-loopback address."""


def _is_loopback(host: str) -> bool:
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _check(address: Any) -> None:
    if isinstance(address, tuple) and address and isinstance(address[0], str):
        host = address[0]
        if not _is_loopback(host):
            raise NetworkBlockedError(
                f"network access to {host!r} is blocked during kata tests: everything runs "
                "offline. Load models by the zoo's repo ids (see the kata README), or pass "
                "--model ROLE=REPO_ID to opt in to the real Hub."
            )


def _guarded(original: Callable[..., Any]) -> Callable[..., Any]:
    def connect(self: socket.socket, address: Any) -> Any:
        _check(address)
        return original(self, address)

    return connect


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if isinstance(host, bytes):
        host = host.decode()
    if isinstance(host, str):
        _check((host,))
    return _original_getaddrinfo(host, *args, **kwargs)


def install() -> None:
    """Block non-loopback connections and DNS look-ups in this process."""
    socket.socket.connect = _guarded(_original_connect)  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded(_original_connect_ex)  # type: ignore[method-assign]
    socket.getaddrinfo = _guarded_getaddrinfo


def uninstall() -> None:
    """Restore the standard socket functions."""
    socket.socket.connect = _original_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _original_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _original_getaddrinfo


def is_installed() -> bool:
    """Whether the guard is active in this process."""
    return socket.getaddrinfo is _guarded_getaddrinfo


@contextmanager
def lifted() -> Iterator[None]:
    """Allow outside connections inside the block (opt-in real-Hub runs), then restore."""
    was_installed = is_installed()
    uninstall()
    try:
        yield
    finally:
        if was_installed:
            install()
