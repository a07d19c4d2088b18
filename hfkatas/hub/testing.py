"""Run a local Hub for tests and point the real clients at it.

    port = reserve_port()                     # before huggingface_hub / datasets are imported
    with running_hub(tmp / "hub", port) as hub, use_endpoint(hub.url, hub.write_token, tmp):
        ...                                   # create_repo, push_to_hub, load_dataset, ...
    assert not hub.unknown_routes             # a client calling something new fails loudly

`use_endpoint` flips every switch the clients read (module constants captured at import time
included), so hub tests and offline tests can share one pytest session; it restores them on exit.
"""

from __future__ import annotations

import importlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

from .app import create_app
from .auth import Token
from .server import bind, make_server, url_of
from .state import Limits

USER = "learner"
OTHER_USER = "other"
WRITE_TOKEN = "hf_test_learner_write"
READ_TOKEN = "hf_test_learner_read"
OTHER_TOKEN = "hf_test_other_write"
TEST_TOKENS = (
    Token(USER, "write", WRITE_TOKEN),
    Token(USER, "read", READ_TOKEN),
    Token(OTHER_USER, "write", OTHER_TOKEN),
)
START_TIMEOUT_S = 30.0
_reserved: dict[int, socket.socket] = {}


def reserve_port() -> int:
    """A loopback port held open until `running_hub(port=...)` serves on it (no race)."""
    sock = bind()
    port = sock.getsockname()[1]
    _reserved[port] = sock
    return port


def _socket_for(port: int | None) -> socket.socket:
    return _reserved.pop(port) if port in _reserved else bind(port=port or 0)


@dataclass
class HubHandle:
    """A running Hub: its URL, data folder, test tokens and the routes it could not answer."""

    url: str
    data_dir: Path
    user: str = USER
    write_token: str = WRITE_TOKEN
    read_token: str = READ_TOKEN
    other_user: str = OTHER_USER
    other_token: str = OTHER_TOKEN
    unknown_routes: list[str] = field(default_factory=list)


@contextmanager
def running_hub(
    data_dir: Path,
    port: int | None = None,
    tokens: tuple[Token, ...] = TEST_TOKENS,
    limits: Limits | None = None,
) -> Iterator[HubHandle]:
    """Serve a Hub from `data_dir` in a background thread of this process."""
    app = create_app(data_dir, tokens, limits)
    sock = _socket_for(port)
    server = make_server(app)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="hfkatas-hub"
    )
    thread.start()
    try:
        _wait(lambda: server.started or not thread.is_alive(), "the hub thread to start")
        if not server.started:
            raise RuntimeError("the local Hub failed to start (see the log above)")
        yield HubHandle(url_of(sock), Path(data_dir), unknown_routes=app.state.hub.unknown_routes)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def hub_process(
    data_dir: Path, port: int | None = None, tokens: tuple[Token, ...] = TEST_TOKENS
) -> Iterator[tuple[HubHandle, subprocess.Popen]]:
    """Serve a Hub from `data_dir` in a child process (`python -m hfkatas.hub serve`), for tests
    that kill and restart it. Its `unknown_routes` stay in the child: they are not reported here."""
    sock = _socket_for(port)
    port_number = sock.getsockname()[1]
    sock.close()  # the child binds it; SO_REUSEADDR makes that immediate
    command = [
        sys.executable,
        "-m",
        "hfkatas.hub",
        "serve",
        "--port",
        str(port_number),
        "--data",
        str(data_dir),
    ]
    for token in tokens:
        command += ["--token", f"{token.user}:{token.role}:{token.secret}"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError(
                f"the local Hub process did not start (exit status {process.poll()})"
            )
        _wait(lambda: _accepts(port_number), "the hub process to accept connections")
        yield HubHandle(url, Path(data_dir)), process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=15)
        process.stdout.close()


def _accepts(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _wait(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.02)


@contextmanager
def use_endpoint(url: str, token: str | None, home: Path) -> Iterator[None]:
    """Point huggingface_hub, transformers, peft and datasets at `url`, online, with `token` as the
    logged-in user's token (None: anonymous); token files and download caches live under `home`,
    away from the session's offline model cache. Restores everything on exit."""
    token_path = home / "token"
    environment = {
        "HF_ENDPOINT": url,
        "HF_HUB_OFFLINE": "0",
        "TRANSFORMERS_OFFLINE": "0",
        "HF_DATASETS_OFFLINE": "0",
        "HF_HUB_DISABLE_XET": "1",
        "HF_TOKEN_PATH": str(token_path),
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": "" if token else "1",
    }
    patches = _module_patches(url, token, home)  # imports the modules before the env changes
    with ExitStack() as stack:
        stack.enter_context(mock.patch.dict(os.environ, environment))
        for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_API_TOKEN"):
            os.environ.pop(name, None)
        if token:
            os.environ["HF_TOKEN"] = token
        for target, attribute, value in patches:
            stack.enter_context(mock.patch.object(target, attribute, value))
        _clear_filesystem_cache()
        yield
        _clear_filesystem_cache()


def _module_patches(url: str, token: str | None, home: Path) -> list[tuple[object, str, object]]:
    """The module constants the HF libraries captured at import time, with their new values.

    The modules are imported first (with the session's settings), so that leaving restores them."""
    constants = importlib.import_module("huggingface_hub.constants")
    hf_api = importlib.import_module("huggingface_hub.hf_api")
    datasets_config = importlib.import_module("datasets.config")
    transformers_hub = importlib.import_module("transformers.utils.hub")
    # transformers 5 keeps one HfApi made with the endpoint of its first use: drop it.
    fresh_api = (
        [(transformers_hub, "_hf_api", None)] if hasattr(transformers_hub, "_hf_api") else []
    )
    return [
        *fresh_api,
        (constants, "ENDPOINT", url),
        (
            constants,
            "HUGGINGFACE_CO_URL_TEMPLATE",
            url + "/{repo_id}/resolve/{revision}/{filename}",
        ),
        (constants, "HF_HUB_OFFLINE", False),
        (constants, "HF_HUB_DISABLE_XET", True),
        (constants, "HF_HUB_DISABLE_IMPLICIT_TOKEN", not token),
        (constants, "HF_TOKEN_PATH", str(home / "token")),
        (constants, "HF_STORED_TOKENS_PATH", str(home / "stored_tokens")),
        (constants, "HF_HUB_CACHE", str(home / "hub")),
        (hf_api.api, "endpoint", url),  # the module-level `HfApi()` behind `create_repo` & co
        (datasets_config, "HF_ENDPOINT", url),
        (
            datasets_config,
            "HUB_DATASETS_URL",
            url + "/datasets/{repo_id}/resolve/{revision}/{path}",
        ),
        (datasets_config, "HF_HUB_OFFLINE", False),
        (datasets_config, "HF_DATASETS_OFFLINE", False),
        (datasets_config, "HF_DATASETS_CACHE", home / "datasets"),
        (datasets_config, "DOWNLOADED_DATASETS_PATH", home / "datasets" / "downloads"),
    ]


def _clear_filesystem_cache() -> None:
    """Forget `HfFileSystem` instances and their directory listings (they outlive a test)."""
    hf_file_system = sys.modules.get("huggingface_hub.hf_file_system")
    if hf_file_system is not None:
        hf_file_system.HfFileSystem.clear_instance_cache()
