"""`katas watch` in a pseudo-terminal: it re-checks when a file is saved, and on Enter."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
WAIT_SECONDS = 90


class Terminal:
    """`katas` running on a pseudo-terminal, with everything it printed so far."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hfkatas.cli", *args],
            cwd=cwd,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
        )
        os.close(slave)
        self.screen = ""

    def wait_for(self, pattern: str, since: int = 0) -> int:
        """Read until `pattern` shows up after offset `since`; returns the offset after it."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            found = re.search(pattern, self.screen[since:], re.DOTALL)
            if found:
                return since + found.end()
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.screen += ANSI.sub(
                        "", os.read(self.master, 65536).decode(errors="replace")
                    )
                except OSError:  # the process ended
                    break
        raise AssertionError(f"`katas watch` never showed {pattern!r}; the screen:\n{self.screen}")

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        os.close(self.master)


@pytest.fixture
def terminal(checkout: Path, environment: dict[str, str]) -> Iterator[Callable[..., Terminal]]:
    """Start `katas watch ARGS...` on a pseudo-terminal; killed at the end of the test."""
    started: list[Terminal] = []

    def start(*args: str) -> Terminal:
        started.append(Terminal(["watch", *args], checkout, environment))
        return started[-1]

    yield start
    for each in started:
        each.stop()


@pytest.mark.timeout(240)
def test_watch_rechecks_after_a_file_is_saved(terminal, solve):
    screen = terminal("01")
    after_first = screen.wait_for(r"0/2 tasks pass.*?watching 01_basics")
    solve("01", "add")
    after_save = screen.wait_for(r"1/2 tasks pass", since=after_first)
    solve("01", "shout")
    screen.wait_for(r"2/2 tasks pass.*?Press n", since=after_save)
    assert not termios.tcgetattr(screen.master)[3] & termios.ICANON, "keys arrive without Enter"
    screen.type("q")
    assert screen.process.wait(timeout=30) == 0, "q alone (no Enter) quits watch with status 0"
    assert termios.tcgetattr(screen.master)[3] & termios.ICANON, "the terminal mode is restored"


@pytest.mark.timeout(240)
def test_watch_shows_the_changed_tasks_verdict_before_the_rest(terminal, solve):
    screen = terminal("01")
    after_first = screen.wait_for(r"0/2 tasks pass.*?watching 01_basics")
    solve("01", "shout")  # not the first failing task: the one whose function changed
    verdict = screen.wait_for(
        r"pass task 1\.2 · Shout \(\d+\.\d s\) · checking the rest", after_first
    )
    screen.wait_for(r"1/2 tasks pass.*?task 1\.1 add: not implemented yet", since=verdict)
    screen.type("q")
    assert screen.process.wait(timeout=30) == 0


@pytest.mark.timeout(240)
def test_check_uses_the_worker_of_a_running_watch(terminal, katas, solve):
    screen = terminal("01")
    screen.wait_for(r"0/2 tasks pass.*?watching 01_basics")
    solve("01", "add")
    result = katas("check", "01")
    assert "using the warm test worker of the running `katas watch`" in result.stdout, (
        f"`katas check` must reuse the running worker:\n{result.stdout}"
    )
    assert result.returncode == 1 and "1/2 tasks pass" in result.stdout, result.stdout
    screen.type("q")
    assert screen.process.wait(timeout=30) == 0
    alone = katas("check", "01")
    assert alone.returncode == 1 and "warm test worker" not in alone.stdout, (
        "once watch has quit, `katas check` starts its own worker"
    )


@pytest.mark.timeout(240)
def test_watch_manual_rechecks_on_enter_only(terminal, solve):
    screen = terminal("01", "--manual")
    after_first = screen.wait_for(r"0/2 tasks pass.*?checking on Enter")
    solve("01")
    time.sleep(1.0)
    assert "2/2" not in screen.screen[after_first:], "--manual must not re-check on a save"
    screen.type("x")
    time.sleep(0.5)
    assert "2/2" not in screen.screen[after_first:], "a key without a meaning does nothing"
    screen.type("\n")
    after_enter = screen.wait_for(r"2/2 tasks pass", since=after_first)
    screen.type("h")
    screen.wait_for(r"Task 1\.1 · Add two numbers", since=after_enter)
    screen.type("q")
    assert screen.process.wait(timeout=30) == 0, "quitting watch with q should exit 0"
