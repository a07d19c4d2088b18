"""`katas watch [KATA]`: re-check the current kata whenever one of its files is saved.

Saves are seen by polling file times and sizes (no extra dependency, works on every file
system where the editor's writes show up); `--manual` re-checks on Enter only, for file systems
whose changes don't show (some WSL and network mounts).
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from pathlib import Path
from typing import IO

from hfkatas.cli.check import run_check
from hfkatas.cli.exits import Exit
from hfkatas.cli.hint import show_hint
from hfkatas.cli.output import Output
from hfkatas.cli.runner import Worker
from hfkatas.cli.targets import Course
from hfkatas.curriculum import Kata

POLL_SECONDS = 0.2
SETTLE_SECONDS = 0.05  # editors write in steps: wait for the files to stop changing
Snapshot = dict[Path, tuple[int, int]]


def snapshot(kata: Kata) -> Snapshot:
    """Modification time and size of every file of the kata folder."""
    found: Snapshot = {}
    for path in kata.kata_dir.rglob("*"):
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


def key_presses(stream: IO[str]) -> queue.Queue[str | None]:
    """Lines typed by the learner, read in the background; None once input ends."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line.strip().lower())
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


class Session:
    """One `katas watch`: the kata on screen, the warm worker, the learner's keys."""

    def __init__(self, out: Output, course: Course, kata: Kata, manual: bool) -> None:
        self.out, self.course, self.kata, self.manual = out, course, kata, manual
        self.seen: Snapshot = {}

    def recheck(self, worker: Worker) -> None:
        self.seen = snapshot(self.kata)  # a save during the run triggers the next check
        self.out.clear()
        passed = run_check(self.out, self.course, self.kata, worker) == Exit.OK
        keys = "Enter: check again · h: hint · n: next kata · q: quit"
        how = "on Enter" if self.manual else "on every save"
        self.out.print(f"\n[dim]watching {self.kata.slug}, checking {how} · {keys}[/]")
        if passed:
            self.out.print("Type n and Enter to move on to the next kata.")

    def command(self, key: str, worker: Worker) -> bool:
        """Act on one typed line; False means quit."""
        if key in ("q", "quit", "exit"):
            return False
        if key == "h":
            show_hint(self.out, self.course, self.kata.slug)
            return True
        if key == "n":
            self.kata = self.course.after(self.kata) or self.kata
            self.course.progress.choose(self.kata)
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


def watch(out: Output, course: Course, name: str | None, manual: bool) -> Exit:
    """The `watch` command."""
    kata = course.kata(name) if name else course.current()
    course.progress.choose(kata)
    try:
        return Session(out, course, kata, manual).run(key_presses(sys.stdin))
    except KeyboardInterrupt:
        out.print("\nStopped watching. Your progress is saved: `katas` shows it.")
        return Exit.OK
