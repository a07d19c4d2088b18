"""The course's katas and their tasks, read from each kata's README (the single source).

A kata folder `katas/NN_topic/` holds `README.md`, the stub module `topic.py` and `test_*.py`.
Its README names the time (`Time: about N minutes`) and, under `## Tasks`, one heading per task
(`### Task N.M · Title`) whose section ends with a hint in `<details><summary>Hint</summary>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hfkatas.paths import repo_root

KATA_DIR = re.compile(r"^(\d\d)_([a-z0-9_]+)$")
TASK_HEADING = re.compile(r"^### Task (\d+\.\d+)\s*[·:—–-]\s*(.+?)\s*$", re.MULTILINE)
HINT_BLOCK = re.compile(r"<details>\s*<summary>\s*Hint\s*</summary>(.*?)</details>", re.DOTALL)
TIME_LINE = re.compile(r"^Time: about (\d+) minutes", re.MULTILINE)
TITLE_LINE = re.compile(r"^# (.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Task:
    """One numbered task of a kata."""

    id: str
    title: str
    hint: str


@dataclass(frozen=True)
class Kata:
    """One kata: a folder of stubs and tests for one learning objective."""

    number: int
    slug: str
    title: str
    minutes: int
    tasks: tuple[Task, ...]
    root: Path

    @property
    def topic(self) -> str:
        return self.slug.split("_", 1)[1]

    @property
    def module_name(self) -> str:
        return self.topic

    def solution_dir(self, solutions: str) -> Path:
        """The folder holding this kata's module for `learner` or `reference` solutions."""
        return self.root / ("katas" if solutions == "learner" else "reference") / self.slug

    def module_path(self, solutions: str) -> Path:
        return self.solution_dir(solutions) / f"{self.module_name}.py"

    @property
    def kata_dir(self) -> Path:
        return self.root / "katas" / self.slug

    def task(self, task_id: str) -> Task | None:
        return next((task for task in self.tasks if task.id == task_id), None)


def _clean(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text.strip())


def parse_readme(text: str) -> tuple[str, int, tuple[Task, ...]]:
    """Title, minutes and tasks of a kata README (missing pieces come back empty or zero)."""
    title_match = TITLE_LINE.search(text)
    time_match = TIME_LINE.search(text)
    headings = list(TASK_HEADING.finditer(text))
    tasks = []
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        section = text[heading.end() : end]
        next_section = re.search(r"^## ", section, re.MULTILINE)
        section = section[: next_section.start()] if next_section else section
        hint = HINT_BLOCK.search(section)
        tasks.append(
            Task(heading.group(1), heading.group(2), _clean(hint.group(1)) if hint else "")
        )
    return (
        title_match.group(1).strip() if title_match else "",
        int(time_match.group(1)) if time_match else 0,
        tuple(tasks),
    )


def load_kata(folder: Path, root: Path) -> Kata:
    """Read one kata folder."""
    match = KATA_DIR.match(folder.name)
    if not match:
        raise ValueError(f"{folder.name!r} is not a kata folder name (expected NN_topic)")
    readme = folder / "README.md"
    title, minutes, tasks = (
        parse_readme(readme.read_text(encoding="utf-8")) if readme.exists() else ("", 0, ())
    )
    return Kata(int(match.group(1)), folder.name, title, minutes, tasks, root)


def load_curriculum(root: Path | None = None) -> list[Kata]:
    """Every kata of the checkout, in order."""
    root = root or repo_root()
    folders = sorted(p for p in (root / "katas").iterdir() if p.is_dir() and KATA_DIR.match(p.name))
    return [load_kata(folder, root) for folder in folders]


def find_kata(name: str, root: Path | None = None) -> Kata:
    """A kata by `01`, `1`, `01_auto_classes` or `auto_classes`; a clear error otherwise."""
    katas = load_curriculum(root)
    wanted = name.strip().rstrip("/").split("/")[-1]
    for kata in katas:
        if wanted in (kata.slug, kata.topic, f"{kata.number:02d}", str(kata.number)):
            return kata
    valid = ", ".join(kata.slug for kata in katas)
    raise LookupError(f"there is no kata called {name!r}. The katas are: {valid}")


def kata_for_path(path: Path, root: Path | None = None) -> Kata | None:
    """The kata a file belongs to (a test, stub or reference file), or None."""
    root = root or repo_root()
    try:
        relative = path.resolve().relative_to(root)
    except ValueError:
        return None
    parts = relative.parts
    if len(parts) >= 2 and parts[0] in ("katas", "reference") and KATA_DIR.match(parts[1]):
        return load_kata(root / "katas" / parts[1], root)
    return None
