"""Turn what the learner typed (`01`, `auto_classes`, `1.3`, `01_auto_classes.3`) into a kata and
task, with errors that list the valid names."""

from __future__ import annotations

import re
from pathlib import Path

from hfkatas.cli.exits import CliError
from hfkatas.cli.progress import Progress
from hfkatas.course.curriculum import Kata, Task, find_kata, load_curriculum

TITLE_PREFIX = re.compile(r"^Kata \d+\s*[·:—–-]\s*")


def short_title(kata: Kata) -> str:
    """`Auto classes` for a README titled `# Kata 01 · Auto classes`."""
    return TITLE_PREFIX.sub("", kata.title) or kata.topic.replace("_", " ")


class Course:
    """The checkout's katas and the learner's progress through them."""

    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.home = home
        self.katas = load_curriculum(root)
        self.progress = Progress.load(home)
        if not self.katas:
            raise CliError(f"no katas found in {root / 'katas'}: is this an hf-katas checkout?")

    def kata(self, name: str) -> Kata:
        try:
            return find_kata(name, self.root)
        except LookupError as error:
            raise CliError(str(error)) from None

    def current(self) -> Kata:
        """The kata to work on: the one picked last if unfinished, else the first unfinished
        (the last kata once everything passes)."""
        return self.progress.next_kata(self.katas) or self.katas[-1]

    def after(self, kata: Kata) -> Kata | None:
        """The next unfinished kata after `kata` (wrapping around), or None when all are done."""
        start = self.katas.index(kata)
        ordered = self.katas[start + 1 :] + self.katas[:start]
        return next((k for k in ordered if not self.progress.of(k).done(k)), None)

    def task(self, target: str | None) -> tuple[Kata, Task]:
        """`KATA[.TASK]` or a task id like `1.3`; no task means the next failing one."""
        if not target:
            kata, number = self.current(), ""
        else:
            kata_name, _, number = target.partition(".")
            kata = self.kata(kata_name)
        if not kata.tasks:
            raise CliError(f"{kata.slug} lists no tasks in its README")
        if not number:
            failing = self.progress.of(kata).failing(kata)
            return kata, (kata.task(failing[0]) if failing else None) or kata.tasks[0]
        task_id = number if "." in number else f"{kata.number}.{number}"
        task = kata.task(task_id)
        if task is None:
            valid = ", ".join(task.id for task in kata.tasks)
            raise CliError(f"{kata.slug} has no task {task_id!r}. Its tasks are: {valid}")
        return kata, task
