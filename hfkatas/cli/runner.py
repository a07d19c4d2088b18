"""Run a kata's tests through the warm worker and read back the per-task results."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from hfkatas.cli.exits import CliError, Exit
from hfkatas.curriculum import Kata
from hfkatas.results import KataResult, load

Event = dict[str, object]
# The worker imported pytest plugins before pytest started, on purpose: not worth a warning.
QUIET_WARM_START = ("-W", "ignore::pytest.PytestAssertRewriteWarning")
EventHandler = Callable[[Event], None]


class Worker:
    """A `hfkatas.cli.worker` process: start it once, `run` many pytest sessions through it."""

    def __init__(self, root: Path, home: Path, *, preload: bool = True) -> None:
        self.logs = home / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "hfkatas.cli.worker"]
        if not preload:
            command.append("--no-preload")
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

    def run(self, args: list[str], log: Path, on_event: EventHandler | None = None) -> int:
        """Run pytest with `args`; returns pytest's exit status."""
        assert self.process.stdin and self.process.stdout
        try:
            self.process.stdin.write(json.dumps({"args": args, "log": str(log)}) + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            raise self._crashed() from None
        for line in self.process.stdout:
            event = json.loads(line)
            if event["event"] == "exit":
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
        """Stop the worker and any run it still has going."""
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                assert self.process.stdin
                self.process.stdin.close()
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


@dataclass(frozen=True)
class CheckRun:
    """One check of a kata: pytest's status, the per-task result, and where its output is."""

    code: int
    result: KataResult | None
    log: Path

    def log_tail(self, lines: int = 25) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.rstrip().splitlines()[-lines:])


def run_kata(
    worker: Worker, kata: Kata, on_event: EventHandler | None = None, *, solutions: str = "learner"
) -> CheckRun:
    """Run one kata's tests (the learner's code unless told otherwise) and load its report."""
    report = worker.logs / "report.json"
    log = worker.logs / "check.log"
    report.unlink(missing_ok=True)
    args = [str(kata.kata_dir), f"--solutions={solutions}", f"--kata-report={report}", "-q"]
    code = worker.run([*args, *QUIET_WARM_START], log, on_event)
    result = load(report).get(kata.slug) if report.exists() else None
    return CheckRun(code, result, log)
