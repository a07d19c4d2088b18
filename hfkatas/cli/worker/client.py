"""The `katas` command's side of the warm worker: start one (or borrow the one `katas watch`
runs), send it run requests, read back the events and the per-task results."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

from hfkatas.cli.exits import CliError, Exit
from hfkatas.cli.worker.protocol import (
    EXIT,
    IMPORT_ERROR,
    TEST,
    Event,
    parse_event,
    request_line,
    socket_path,
)
from hfkatas.course.curriculum import Kata
from hfkatas.plugin.results import KataResult, load

# The worker imported pytest plugins before pytest started, on purpose: not worth a warning.
QUIET_WARM_START = ("-W", "ignore::pytest.PytestAssertRewriteWarning")
EventHandler = Callable[[Event], None]
# A busy worker answers once its current run ends; past this, start a worker of our own.
SHARED_WAIT_SECONDS = 30


class Worker:
    """A worker process (`server.py`): start it once, `run` many pytest sessions through it.

    `listen=True` lets other `katas` commands use it too (`Worker.shared` finds it)."""

    process: subprocess.Popen[str] | None
    requests: IO[str]
    events: Iterable[str]

    def __init__(
        self, root: Path, home: Path, *, preload: bool = True, listen: bool = False
    ) -> None:
        self.logs = home / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "hfkatas.cli.worker.server"]
        if not preload:
            command.append("--no-preload")
        if listen:
            command.append("--listen")
        environment = {
            **os.environ,
            "KATAS_ROOT": str(root),
            "KATAS_HOME": str(home),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        with open(self.logs / "worker.log", "w", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                bufsize=1,
                cwd=root,
                env=environment,
                start_new_session=True,  # Ctrl-C reaches the CLI, which then stops the worker
            )
        assert self.process.stdin and self.process.stdout
        self.requests, self.events = self.process.stdin, self.process.stdout
        self.connection: socket.socket | None = None

    @classmethod
    def shared(cls, root: Path, home: Path) -> Worker | None:
        """The warm worker another `katas` command (`katas watch`) runs, if there is one."""
        if not hasattr(socket, "AF_UNIX") or not hasattr(os, "fork"):
            return None
        connection = socket.socket(socket.AF_UNIX)
        try:
            connection.settimeout(SHARED_WAIT_SECONDS)
            connection.connect(str(socket_path(home)))
            events = connection.makefile("r", encoding="utf-8")
            ready = parse_event(events.readline())
            connection.settimeout(None)
        except (OSError, ValueError):
            connection.close()
            return None
        if ready.get("root") != str(root):
            events.close()
            connection.close()
            return None
        worker = cls.__new__(cls)
        worker.logs = home / "logs"
        worker.logs.mkdir(parents=True, exist_ok=True)
        worker.process, worker.connection = None, connection
        worker.requests, worker.events = connection.makefile("w", encoding="utf-8"), events
        return worker

    @property
    def borrowed(self) -> bool:
        """True for another command's worker, reached through its socket."""
        return self.process is None

    def run(
        self,
        args: list[str],
        log: Path,
        on_event: EventHandler | None = None,
        **request: object,
    ) -> int:
        """Run pytest with `args` (and the worker's other request fields); returns pytest's
        exit status."""
        try:
            self.requests.write(request_line(args, log, **request))
            self.requests.flush()
        except OSError:
            raise self._crashed() from None
        for line in self.events:
            event = parse_event(line)
            if event["event"] == EXIT:
                return int(event["code"])
            if on_event:
                on_event(event)
        raise self._crashed()

    def _crashed(self) -> CliError:
        return CliError(
            f"the test worker stopped unexpectedly; its log is {self.logs / 'worker.log'}",
            Exit.BROKEN,
        )

    def close(self) -> None:
        """Stop the worker and any run it still has going (a shared one: just hang up)."""
        if self.process is None:
            for stream in (self.requests, self.events):
                with contextlib.suppress(OSError):
                    stream.close()  # type: ignore[union-attr]
            if self.connection is not None:
                self.connection.close()
            return
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.requests.close()
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()

    def __enter__(self) -> Worker:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def any_worker(root: Path, home: Path) -> Worker:
    """The warm worker of a running `katas watch` if there is one, else a new (cold) one."""
    return Worker.shared(root, home) or Worker(root, home, preload=False)


@dataclass(frozen=True)
class CheckRun:
    """One check of a kata: pytest's status, the per-task result, each test's event, where
    pytest's output is, and, when the solution file does not import, why."""

    code: int
    result: KataResult | None
    log: Path
    tests: list[Event] = field(default_factory=list)
    import_error: Event | None = None

    def log_tail(self, lines: int = 25) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.rstrip().splitlines()[-lines:])


def run_kata(
    worker: Worker,
    kata: Kata,
    on_event: EventHandler | None = None,
    *,
    solutions: str = "learner",
    only: Iterable[str] = (),
    skip: Iterable[str] = (),
) -> CheckRun:
    """Run one kata's tests (the learner's code unless told otherwise; only some tasks', or
    all but some) and load its report."""
    report = worker.logs / f"report-{os.getpid()}.json"
    log = worker.logs / "check.log"
    report.unlink(missing_ok=True)
    tests: list[Event] = []
    broken: list[Event] = []

    def collect(event: Event) -> None:
        if event["event"] == TEST:
            tests.append(event)
        elif event["event"] == IMPORT_ERROR:
            broken.append(event)
        if on_event:
            on_event(event)

    args = [str(kata.folder), f"--solutions={solutions}", f"--kata-report={report}", "-q"]
    code = worker.run(
        [*args, *QUIET_WARM_START],
        log,
        collect,
        kata=kata.slug,
        solutions=solutions,
        only=list(only),
        skip=list(skip),
    )
    result = load(report).get(kata.slug) if report.exists() else None
    report.unlink(missing_ok=True)
    return CheckRun(code, result, log, tests, broken[0] if broken else None)
