"""`katas watch [KATA]`: re-check the current kata whenever one of its files is saved.

Each re-check runs the tests of the task at hand first (the task whose function changed, else
the first failing one) and shows that verdict at once, then checks the rest of the kata.
Saves are seen by polling file times and sizes (no extra dependency, works on every file
system where the editor's writes show up); `--manual` re-checks on Enter only, for file systems
whose changes don't show (some WSL and network mounts). On a terminal, keys act at once
(no Enter needed); the terminal's mode is restored on exit.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from rich.markup import escape

from hfkatas.cli.check import run_check, run_with_progress, show_run
from hfkatas.cli.course import Course
from hfkatas.cli.exits import Exit
from hfkatas.cli.hint import show_hint
from hfkatas.cli.output import Output
from hfkatas.cli.pristine import definition_sources, shipped_todo_tasks
from hfkatas.cli.worker.client import CheckRun, Worker, run_kata
from hfkatas.course.curriculum import Kata
from hfkatas.plugin.results import KataResult

POLL_SECONDS = 0.2
SETTLE_SECONDS = 0.05  # editors write in steps: wait for the files to stop changing
RECHECK_KEYS = ("", " ", "c")
Snapshot = dict[Path, tuple[int, int]]


def snapshot(kata: Kata) -> Snapshot:
    """Modification time and size of every file of the kata folder."""
    found: Snapshot = {}
    for path in kata.folder.rglob("*"):
        if "__pycache__" in path.parts or path.name.startswith("."):
            continue
        try:
            stat = path.stat()
        except OSError:
            continue  # removed while we looked: the next poll sees it
        if path.is_file():
            found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def settled(kata: Kata, seen: Snapshot) -> None:
    """Wait until a changed kata folder stops changing."""
    while True:
        time.sleep(SETTLE_SECONDS)
        now = snapshot(kata)
        if now == seen:
            return
        seen = now


def key_presses(stream: IO[str], raw: bool = False) -> queue.Queue[str | None]:
    """What the learner types, read in the background: single keys in raw mode, else lines
    (Enter alone is ""); None once input ends."""
    keys: queue.Queue[str | None] = queue.Queue()

    def read_keys() -> None:
        while key := os.read(stream.fileno(), 1):
            keys.put(key.decode(errors="replace").lower().strip())
        keys.put(None)

    def read_lines() -> None:
        for line in stream:
            keys.put(line.strip().lower())
        keys.put(None)

    threading.Thread(target=read_keys if raw else read_lines, daemon=True).start()
    return keys


@contextlib.contextmanager
def single_keys(stream: IO[str]) -> Iterator[bool]:
    """Put a terminal in cbreak mode (keys arrive without Enter, Ctrl-C still works) and
    restore it afterwards; yields whether it did (not on a pipe, nor without termios)."""
    try:
        import termios
        import tty

        fd = stream.fileno()
        saved = termios.tcgetattr(fd) if stream.isatty() else None
    except (ImportError, OSError, ValueError):
        saved = None
    if saved is None:
        yield False
        return
    tty.setcbreak(fd)
    try:
        yield True
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


class Session:
    """One `katas watch`: the kata on screen, the warm worker, the learner's keys."""

    def __init__(self, out: Output, course: Course, kata: Kata, manual: bool) -> None:
        self.out, self.course, self.manual = out, course, manual
        self.raw = False
        self.seen: Snapshot = {}
        self.start(kata)

    def start(self, kata: Kata) -> None:
        """Watch `kata`: remember which function of which solution file belongs to which
        tasks, and the functions now."""
        self.kata = kata
        self.tasks_by_function = {
            (name, function): tasks
            for name, owners in shipped_todo_tasks(self.course.root, kata).items()
            for function, tasks in owners.items()
        }
        self.functions = {name: definition_sources(self.source(name)) for name in kata.files}

    def source(self, name: str) -> str:
        try:
            return (self.kata.solution_dir("learner") / name).read_text(encoding="utf-8")
        except OSError:
            return ""

    def changed_tasks(self) -> set[str]:
        """The tasks of every function changed since the last check, in any solution file."""
        changed: set[str] = set()
        for name in self.kata.files:
            now, before = definition_sources(self.source(name)), self.functions[name]
            for function in {*now, *before}:
                if now.get(function) != before.get(function):
                    changed.update(self.tasks_by_function.get((name, function), ()))
            if now:  # a file that does not parse keeps the old functions to compare with
                self.functions[name] = now
        return changed

    def focus(self) -> str:
        """The task at hand: the first failing task whose function changed since the last
        check, else the first changed task, else the first failing one ("" when all pass)."""
        changed = self.changed_tasks()
        order = [task.id for task in self.kata.tasks]
        failing = self.course.progress.of(self.kata).failing(self.kata)
        candidates = [task for task in failing if task in changed]
        candidates += [task for task in order if task in changed]
        return candidates[0] if candidates else (failing[0] if failing else "")

    def recheck(self, worker: Worker) -> None:
        self.seen = snapshot(self.kata)  # a save during the run triggers the next check
        self.out.clear()
        focus = self.focus()
        others = [task.id for task in self.kata.tasks if task.id != focus]
        if focus and others:
            passed = self.check_focus_first(worker, focus, others)
        else:
            passed = run_check(self.out, self.course, self.kata, worker) == Exit.OK
        keys = "Enter: check again · h: hint · n: next kata · q: quit"
        how = "on Enter" if self.manual else "on every save"
        self.out.print(f"\n[dim]watching {self.kata.slug}, checking {how} · {keys}[/]")
        if passed:
            press = "Press n" if self.raw else "Type n and Enter"
            self.out.print(f"{press} to move on to the next kata.")

    def check_focus_first(self, worker: Worker, focus: str, others: list[str]) -> bool:
        """Run the task at hand, show its verdict, then the rest of the kata; True if all pass."""
        started = time.monotonic()
        first = run_kata(worker, self.kata, only=[focus])
        if first.import_error is not None or first.code not in (0, 1):
            return show_run(self.out, self.course, self.kata, first) == Exit.OK
        result = first.result.tasks.get(focus) if first.result else None
        if result is None or not result.tests:  # a task without tests: check the whole kata
            return run_check(self.out, self.course, self.kata, worker) == Exit.OK
        title = escape(result.title)
        mark = self.out.mark(result.status)
        seconds = time.monotonic() - started
        self.out.print(f"{mark} task {focus} · {title} ({seconds:.1f} s) · checking the rest…")
        rest = run_with_progress(self.out, self.kata, worker, skip=[focus])
        self.out.print()
        return show_run(self.out, self.course, self.kata, merged(first, rest, focus)) == Exit.OK

    def command(self, key: str, worker: Worker) -> bool:
        """Act on one key (or typed line); False means quit."""
        if key in ("q", "quit", "exit"):
            return False
        if key == "h":
            show_hint(self.out, self.course, self.kata.slug)
            return True
        if key == "n":
            self.start(self.course.after(self.kata) or self.kata)
            self.course.progress.choose(self.kata)
        elif key not in RECHECK_KEYS:
            return True
        self.recheck(worker)
        return True

    def run(self, keys: queue.Queue[str | None]) -> Exit:
        self.out.print(
            "Starting the test worker: torch and transformers load once, so every "
            "re-check after that is quick."
        )
        with Worker(self.course.root, self.course.home, listen=True) as worker:
            self.recheck(worker)
            while True:
                try:
                    key = keys.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    if not self.manual and (now := snapshot(self.kata)) != self.seen:
                        settled(self.kata, now)
                        self.recheck(worker)
                    continue
                if key is None:  # input ended: go on watching files (nothing left to do if manual)
                    if self.manual:
                        return Exit.OK
                    continue
                if not self.command(key, worker):
                    return Exit.OK


def merged(first: CheckRun, rest: CheckRun, focus: str) -> CheckRun:
    """The whole kata's run from the task at hand's run and the run of the other tasks."""
    if rest.import_error is not None or rest.result is None or rest.code not in (0, 1):
        return rest  # the file changed in between and broke: show that
    assert first.result is not None
    tasks = {**rest.result.tasks, focus: first.result.tasks[focus]}
    code = max(first.code, rest.code)  # 1 if either had a failure
    return CheckRun(code, KataResult(rest.result.slug, tasks), rest.log, first.tests + rest.tests)


def watch(out: Output, course: Course, name: str | None, manual: bool) -> Exit:
    """The `watch` command."""
    kata = course.kata(name) if name else course.current()
    course.progress.choose(kata)
    session = Session(out, course, kata, manual)
    try:
        with single_keys(sys.stdin) as raw:
            session.raw = raw
            return session.run(key_presses(sys.stdin, raw))
    except KeyboardInterrupt:
        out.print("\nStopped watching. Your progress is saved: `katas` shows it.")
        return Exit.OK
