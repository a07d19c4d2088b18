"""The warm worker: imports torch and transformers once, then forks one pytest run per request.

A cold `pytest` spends seconds importing torch and transformers before the first test runs; the
worker pays that once, so a re-check in `katas watch` starts at once. Each run happens in a fresh
forked child, so the learner's module is imported anew every time and nothing leaks between runs.

Protocol on stdin / stdout, one JSON object a line:
    worker -> {"event": "ready"}
    client -> {"args": [pytest arguments], "log": "file for pytest's own output"}
    worker -> {"event": "collected", ...}, {"event": "test", ...}, ..., {"event": "exit", "code": N}

Run as `python -m hfkatas.cli.worker [--no-preload]`, with KATAS_ROOT and KATAS_HOME set.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import subprocess
import sys
import traceback
from importlib.metadata import entry_points
from typing import IO

from hfkatas import env
from hfkatas.paths import katas_home, repo_root

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
    "hfkatas.pytest_plugin",
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


def run_pytest(request: dict, channel: IO[str]) -> int:
    """Run pytest for one request with its output in the request's log (called in the child)."""
    import pytest

    from hfkatas.cli.events import EventStream

    os.chdir(repo_root())
    with open(request["log"], "w", encoding="utf-8") as log:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        with open(os.devnull, encoding="utf-8") as nothing:
            os.dup2(nothing.fileno(), 0)
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            return int(pytest.main(list(request["args"]), plugins=[EventStream(channel)]))
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
    command = [sys.executable, "-m", "hfkatas.cli.worker", "--run", json.dumps(request)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        for line in child.stdout:
            channel.write(line)
            channel.flush()
    return child.returncode


def serve(requests: IO[str], channel: IO[str]) -> None:
    """Answer requests until the client closes stdin."""
    run = _forked_run if hasattr(os, "fork") else _spawned_run
    channel.write(json.dumps({"event": "ready"}) + "\n")
    channel.flush()
    for line in requests:
        if line.strip():
            code = run(json.loads(line), channel)
            channel.write(json.dumps({"event": "exit", "code": code}) + "\n")
            channel.flush()


def _protocol_channel() -> IO[str]:
    """Keep the real stdout for the protocol and send stray prints (import warnings) to stderr."""
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    return channel


def main(argv: list[str]) -> int:
    channel = _protocol_channel()
    if argv[:1] == ["--run"]:
        return run_pytest(json.loads(argv[1]), channel)
    # Like the pytest plugin does, but before torch / transformers are imported here.
    env.isolate(katas_home(repo_root()))
    sys.dont_write_bytecode = True  # never leave __pycache__ folders in the learner's katas/
    if "--no-preload" not in argv:
        preload()
    serve(sys.stdin, channel)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
