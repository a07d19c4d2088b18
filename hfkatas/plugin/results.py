"""Per-task results of a pytest run: aggregated from test reports, printed and saved as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

PASS, FAIL, SKIP = "pass", "fail", "skip"


def task_of(item: pytest.Item) -> str:
    """The task a test checks (its `@pytest.mark.task("1.3")` marker), or "" if it has none."""
    marker = item.get_closest_marker("task")
    return str(marker.args[0]) if marker and marker.args else ""


@dataclass
class TaskResult:
    """How one task's tests went."""

    id: str
    title: str = ""
    status: str = SKIP
    tests: int = 0
    failed: int = 0
    message: str = ""
    shown: list[tuple[str, str]] = field(default_factory=list)

    def record(self, outcome: str, message: str, shown: Iterable[tuple[str, str]] = ()) -> None:
        """Fold one test's outcome (`passed`, `failed` or `skipped`) into the task, with what a
        passing test showed of the learner's result (`hfkatas.plugin.shown`)."""
        self.tests += 1
        if outcome == "passed":
            self.shown.extend(shown)
        if outcome == "failed":
            self.failed += 1
            self.status = FAIL
            self.message = self.message or message
        elif outcome == "passed" and self.status == SKIP:
            self.status = PASS


@dataclass
class KataResult:
    """How one kata's tasks went."""

    slug: str
    tasks: dict[str, TaskResult] = field(default_factory=dict)

    @property
    def passed(self) -> int:
        return sum(task.status == PASS for task in self.tasks.values())

    @property
    def counted(self) -> int:
        return sum(task.status != SKIP for task in self.tasks.values())

    def line(self) -> str:
        skipped = len(self.tasks) - self.counted
        extra = f" ({skipped} skipped)" if skipped else ""
        return f"{self.slug}: {self.passed}/{self.counted} tasks pass{extra}"


def save(path: Path, solutions: str, katas: dict[str, KataResult]) -> None:
    """Write the results where `katas check` reads them."""
    payload = {
        "solutions": solutions,
        "katas": {
            slug: {tid: asdict(t) for tid, t in k.tasks.items()} for slug, k in katas.items()
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2), encoding="utf-8")


def load(path: Path) -> dict[str, KataResult]:
    """Read results written by `save`."""
    payload = json.loads(path.read_text(encoding="utf-8"))
    return {
        slug: KataResult(slug, {tid: TaskResult(**task) for tid, task in tasks.items()})
        for slug, tasks in payload["katas"].items()
    }
