"""The warm worker: imports torch and transformers once, then forks one pytest run per request.

A cold `pytest` spends seconds importing torch and transformers before the first test runs; the
worker pays that once, so a re-check in `katas watch` starts at once. Each run happens in a fresh
forked child, so the learner's module is imported anew every time and nothing leaks between runs.
It answers requests on stdin / stdout (`protocol.py` has the messages). With `--listen` the worker
also answers other `katas` commands (`katas check` while `katas watch` runs) on a Unix socket in
KATAS_HOME, one run at a time.

Run as `python -m hfkatas.cli.worker.server [--no-preload] [--listen]`, with KATAS_ROOT and
KATAS_HOME set.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import selectors
import socket
import subprocess
import sys
import traceback
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import IO

from hfkatas.cli.worker.protocol import (
    EXIT,
    IMPORT_ERROR,
    READY,
    event_line,
    parse_request,
    socket_path,
)
from hfkatas.paths import katas_home, repo_root
from hfkatas.plugin import isolation

# What the kata tests import: loading these once is what makes a re-check fast.
PRELOAD = (
    "torch",
    "transformers",
    "transformers.modeling_utils",
    "transformers.generation.utils",
    "transformers.models.auto.modeling_auto",
    "transformers.models.auto.tokenization_auto",
    "transformers.models.llama.modeling_llama",
    "transformers.models.gpt2.modeling_gpt2",
    "transformers.models.bert.modeling_bert",
    "transformers.models.t5.modeling_t5",
    "tokenizers",
    "safetensors.torch",
    "peft",
    "datasets",
    "pytest",
    "_pytest.python",
    "pytest_timeout",
    "hfkatas.plugin.hooks",
    "hfkatas.zoo",
)
BROKEN_RUN = 4  # the exit status of a run that crashed before pytest could report


def preload(names: tuple[str, ...] = PRELOAD) -> None:
    """Import what the tests will need, and every installed pytest plugin (pytest would
    otherwise re-compile each plugin's modules for assertion rewriting on every run)."""
    plugins = tuple(entry.value.split(":")[0] for entry in entry_points(group="pytest11"))
    for name in (*names, *plugins):
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    # Out of the garbage collector's sight: pytest runs gc.collect() several times per session,
    # which would otherwise walk all of torch's and transformers' objects every time.
    gc.freeze()


def import_error(request: dict, channel: IO[str]) -> bool:
    """Import the solution module the run will test; if it does not import, say so in one
    event and return True (the run's tests would all fail the same way)."""
    if not request.get("kata"):
        return False
    from hfkatas.course.curriculum import find_kata
    from hfkatas.plugin.failures import import_problem
    from hfkatas.plugin.solutions import SolutionImportError, load_solution

    kata = find_kata(str(request["kata"]))
    solutions = str(request.get("solutions", "learner"))
    try:
        load_solution(kata, solutions)
    except SolutionImportError as error:
        message, step = import_problem(error, kata.module_path(solutions), kata.root)
        channel.write(event_line(IMPORT_ERROR, message=message, next=step))
        channel.flush()
        return True
    return False


def run_pytest(request: dict, channel: IO[str]) -> int:
    """Run pytest for one request with its output in the request's log (called in the child)."""
    import pytest

    from hfkatas.cli.worker.events import EventStream

    os.chdir(repo_root())
    if import_error(request, channel):
        return BROKEN_RUN
    plugin = EventStream(channel, request.get("only"), request.get("skip"))
    with open(request["log"], "w", encoding="utf-8") as log:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        with open(os.devnull, encoding="utf-8") as nothing:
            os.dup2(nothing.fileno(), 0)
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            return int(pytest.main(list(request["args"]), plugins=[plugin]))
        except BaseException:
            traceback.print_exc()
            return BROKEN_RUN
        finally:
            for stream in (sys.stdout, sys.stderr):
                stream.flush()


def _forked_run(request: dict, channel: IO[str]) -> int:
    channel.flush()
    pid = os.fork()
    if pid == 0:
        code = BROKEN_RUN
        try:
            code = run_pytest(request, channel)
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else BROKEN_RUN  # negative: killed by a signal


def _spawned_run(request: dict, channel: IO[str]) -> int:
    """Where fork is missing (Windows): a fresh interpreter per run, relaying its events."""
    command = [sys.executable, "-m", "hfkatas.cli.worker.server", "--run", json.dumps(request)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        for line in child.stdout:
            channel.write(line)
            channel.flush()
    return child.returncode


class Connection:
    """One client of the worker (the owner's stdin / stdout, or a socket) and where its events
    go."""

    def __init__(self, read: Callable[[], bytes], channel: IO[str]) -> None:
        self.read, self.channel, self.buffer = read, channel, b""

    def requests(self) -> list[dict] | None:
        """The complete requests received so far; None once the client has gone."""
        try:
            data = self.read()
        except OSError:
            data = b""
        if not data:
            return None
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        return [request for line in lines if (request := parse_request(line)) is not None]

    def send(self, event: str, **fields: object) -> bool:
        """Write one event; False when the client has gone."""
        try:
            self.channel.write(event_line(event, **fields))
            self.channel.flush()
        except OSError:
            return False
        return True


def _listen(home: Path) -> socket.socket | None:
    """A Unix socket for other `katas` commands, unless one is already served (or the
    system has none)."""
    if not hasattr(socket, "AF_UNIX") or not hasattr(os, "fork"):
        return None
    path = socket_path(home)
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX) as probe:
        probe.connect(str(path))
        return None  # another worker answers there
    path.unlink(missing_ok=True)  # left over by a worker that was killed
    listener = socket.socket(socket.AF_UNIX)
    old_mask = os.umask(0o177)  # only this user may connect
    try:
        listener.bind(str(path))
    except OSError:
        listener.close()
        return None
    finally:
        os.umask(old_mask)
    listener.listen()
    return listener


def serve(owner: Connection, listener: socket.socket | None = None) -> None:
    """Answer requests, one run at a time, until the owner closes stdin."""
    run = _forked_run if hasattr(os, "fork") else _spawned_run
    root = str(repo_root())

    def answer(client: Connection, requests: list[dict]) -> None:
        for request in requests:
            client.send(EXIT, code=run(request, client.channel))

    owner.send(READY, root=root)
    if listener is None:
        while (requests := owner.requests()) is not None:
            answer(owner, requests)
        return
    sources = selectors.DefaultSelector()
    sources.register(0, selectors.EVENT_READ, owner)
    sources.register(listener, selectors.EVENT_READ, None)
    while True:
        for key, _ in sources.select():
            if key.data is None:  # a new connection
                connection, _ = listener.accept()
                guest = Connection(
                    lambda c=connection: c.recv(65536), connection.makefile("w", encoding="utf-8")
                )
                sources.register(connection, selectors.EVENT_READ, guest)
                guest.send(READY, root=root)
                continue
            client: Connection = key.data
            requests = client.requests()
            if requests is None and client is owner:
                return
            if requests is None:
                sources.unregister(key.fileobj)
                with contextlib.suppress(OSError):
                    client.channel.close()
                key.fileobj.close()  # type: ignore[union-attr]
                continue
            answer(client, requests)


def _protocol_channel() -> IO[str]:
    """Keep the real stdout for the protocol and send stray prints (import warnings) to stderr."""
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    return channel


def main(argv: list[str]) -> int:
    channel = _protocol_channel()
    if argv[:1] == ["--run"]:
        return run_pytest(json.loads(argv[1]), channel)
    home = katas_home(repo_root())
    # Like the pytest plugin does, but before torch / transformers are imported here.
    isolation.isolate(home)
    sys.dont_write_bytecode = True  # never leave __pycache__ folders in the learner's katas/
    if "--no-preload" not in argv:
        preload()
    listener = _listen(home) if "--listen" in argv else None
    try:
        serve(Connection(lambda: os.read(0, 65536), channel), listener)
    finally:
        if listener is not None:
            listener.close()
            socket_path(home).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
