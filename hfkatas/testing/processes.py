"""Running a kata's script or command (python, torchrun) as a subprocess, bounded in time.

`run_process_group` starts the command in its own process group; on a timeout the group gets
SIGTERM then SIGKILL, and whatever way the run ends, no process of the group survives it (no
torchrun worker is left behind).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

KILL_GRACE_S = 5.0
TRACEBACK = "Traceback (most recent call last)"


@dataclass(frozen=True)
class ProcessResult:
    """How a bounded run ended: exit `code` (None on timeout), its `output` (stdout, with stderr
    unless it was kept apart) and its `errors` (stderr, when kept apart)."""

    code: int | None
    output: str
    errors: str = ""

    @property
    def timed_out(self) -> bool:
        return self.code is None

    def tail(self, lines: int = 25) -> str:
        return "\n".join(self.output.strip().splitlines()[-lines:])

    def excerpt(self, lines: int = 25) -> str:
        """The first traceback of the run (usually a worker's: the cause), then its last lines.
        torchrun's own report of a failed worker comes last and says little about why."""
        text = self.output.strip().splitlines()
        start = next(
            (i for i, line in enumerate(text) if line.lstrip().startswith(TRACEBACK)), None
        )
        if start is None or start >= len(text) - lines:
            return self.tail(lines)
        cause = text[start : start + lines]
        return "\n".join([*cause, "[...]", *text[-min(lines, 10) :]])

    @property
    def port_was_taken(self) -> bool:
        """Whether the run failed because its rendezvous port was taken in the meantime."""
        return self.code not in (0, None) and "address already in use" in self.output.lower()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _signal_group(leader: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(leader, sig)


def run_process_group(
    command: list[str],
    *,
    timeout_s: float,
    env: dict[str, str],
    cwd: Path,
    stdin: str = "",
    errors_apart: bool = False,
) -> ProcessResult:
    """Run `command` in its own process group with `stdin` as its input, bounded in time; on a
    timeout the group gets SIGTERM then SIGKILL, and whatever way the run ends, no process of
    the group survives it. `errors_apart`: keep stderr out of `output`, in `errors`."""
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if errors_apart else subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, errors = process.communicate(stdin, timeout=timeout_s)
        return ProcessResult(process.returncode, output, errors or "")
    except subprocess.TimeoutExpired:
        _signal_group(process.pid, signal.SIGTERM)
        try:
            output, errors = process.communicate(timeout=KILL_GRACE_S)
        except subprocess.TimeoutExpired:
            _signal_group(process.pid, signal.SIGKILL)
            output, errors = process.communicate()
        return ProcessResult(None, output, errors or "")
    finally:
        _signal_group(process.pid, signal.SIGKILL)
        process.wait()
