"""Progress kept across restarts in `.katas/progress.json` (git-ignored, in the checkout)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from hfkatas.course.curriculum import Kata
from hfkatas.plugin.results import FAIL, PASS, SKIP, KataResult

STATE_FILE = "progress.json"
STATE_VERSION = 1


@dataclass
class KataProgress:
    """The last check of one kata: each task's status, the first failure message, and how
    many GPU tests each task had skipped."""

    tasks: dict[str, str] = field(default_factory=dict)
    message: str = ""
    checked_at: str = ""
    gpu_skipped: dict[str, int] = field(default_factory=dict)

    def passed(self, kata: Kata) -> int:
        return sum(self.tasks.get(task.id) == PASS for task in kata.tasks)

    def failing(self, kata: Kata) -> list[str]:
        """Task ids that are not known to pass, in README order (never-run tasks included)."""
        return [task.id for task in kata.tasks if self.tasks.get(task.id) not in (PASS, SKIP)]

    def done(self, kata: Kata) -> bool:
        return bool(self.checked_at) and not self.failing(kata)


@dataclass
class Progress:
    """Every kata's last result, and the kata the learner picked last."""

    path: Path
    katas: dict[str, KataProgress] = field(default_factory=dict)
    current: str = ""

    @classmethod
    def load(cls, home: Path) -> Progress:
        """Read the state file; a missing or unreadable one means a fresh start."""
        path = home / STATE_FILE
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            katas = {slug: KataProgress(**entry) for slug, entry in payload["katas"].items()}
            return cls(path, katas, str(payload.get("current", "")))
        except (OSError, ValueError, KeyError, TypeError):
            return cls(path)

    def of(self, kata: Kata) -> KataProgress:
        return self.katas.get(kata.slug, KataProgress())

    def record(
        self, kata: Kata, result: KataResult, gpu_skipped: dict[str, int] | None = None
    ) -> KataProgress:
        """Remember a check's result and save at once."""
        tasks = {tid: task.status for tid, task in result.tasks.items()}
        message = next((t.message for t in result.tasks.values() if t.status == FAIL), "")
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.katas[kata.slug] = KataProgress(tasks, message, stamp, dict(gpu_skipped or {}))
        self.save()
        return self.katas[kata.slug]

    def choose(self, kata: Kata) -> None:
        """Make `kata` the one `katas check` and `katas watch` go to by default."""
        if self.current != kata.slug:
            self.current = kata.slug
            self.save()

    def forget(self, kata: Kata, task_id: str = "") -> None:
        """Drop a kata's result, or one task's (after a reset the stubs are unchecked again)."""
        entry = self.katas.get(kata.slug)
        if entry is None:
            return
        if task_id:
            entry.tasks.pop(task_id, None)
        else:
            del self.katas[kata.slug]
        self.save()

    def save(self) -> None:
        """Write atomically, so an interrupted save never corrupts the learner's progress."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "version": STATE_VERSION,
            "current": self.current,
            "katas": {slug: vars(entry) for slug, entry in sorted(self.katas.items())},
        }
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(payload, indent=2), encoding="utf-8")
        os.replace(temporary, self.path)

    def next_kata(self, katas: list[Kata]) -> Kata | None:
        """The kata to work on: the one picked last if unfinished, else the first unfinished."""
        picked = next((k for k in katas if k.slug == self.current), None)
        if picked and not self.of(picked).done(picked):
            return picked
        return next((k for k in katas if not self.of(k).done(k)), None)
