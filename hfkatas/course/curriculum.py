"""The course's katas and their tasks, read from each kata's manifest `katas/NN_topic/kata.toml`.

The manifest is the single source of what the tools know about a kata: its title and time, its
solution files (the stubs in `katas/NN_topic/`, the reference in `reference/NN_topic/`), and per
task its id, title, the file holding it, flags (`cuda`, `slow`) and hint. The README is prose for
people; `hfkatas.course.contract` checks that its headings, the TODO markers and the tests' task
markers agree with the manifest.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import tomllib

from hfkatas.paths import repo_root

KATA_DIR = re.compile(r"^(\d\d)_([a-z0-9_]+)$")
MANIFEST = "kata.toml"
TODO_MARKER = re.compile(r"#\s*TODO\s+(\d+\.\d+)\b")


def todo_marker(task_id: str) -> re.Pattern[str]:
    """The stub's `# TODO N.M` marker of one task."""
    return re.compile(rf"#\s*TODO\s+{re.escape(task_id)}\b")


FLAGS = ("cuda", "slow")


class ManifestError(ValueError):
    """A kata.toml that is missing or malformed; the message says what to fix."""


@dataclass(frozen=True)
class Task:
    """One numbered task of a kata."""

    id: str
    title: str
    hint: str
    file: str = ""
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kata:
    """One kata: a folder of stubs and tests for one learning objective."""

    number: int
    slug: str
    title: str
    minutes: int
    tasks: tuple[Task, ...]
    root: Path
    files: tuple[str, ...] = ()

    @property
    def topic(self) -> str:
        return self.slug.split("_", 1)[1]

    @property
    def main_module(self) -> str:
        """The main solution file's stem (`auto_classes`): the module the `kata` fixture loads."""
        return Path(self.files[0]).stem if self.files else self.topic

    def solution_dir(self, solutions: str) -> Path:
        """The folder holding this kata's module for `learner` or `reference` solutions."""
        return self.root / ("katas" if solutions == "learner" else "reference") / self.slug

    def module_path(self, solutions: str) -> Path:
        """The main solution file of the learner or the reference."""
        return self.solution_dir(solutions) / f"{self.main_module}.py"

    def solution_paths(self, solutions: str) -> list[Path]:
        """Every solution file (`lora.py`, `predict.py`) of the learner or the reference."""
        return [self.solution_dir(solutions) / name for name in self.files]

    @property
    def folder(self) -> Path:
        """The kata's own folder, `katas/NN_topic`: manifest, README, tests and the learner's
        stubs (whichever solutions a run tests: see `solution_dir`)."""
        return self.root / "katas" / self.slug

    def task(self, task_id: str) -> Task | None:
        return next((task for task in self.tasks if task.id == task_id), None)


def parse_manifest(text: str, where: str) -> tuple[str, int, tuple[str, ...], tuple[Task, ...]]:
    """Title, minutes, solution files and tasks of a kata.toml; ManifestError if malformed."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ManifestError(f"{where} is not valid TOML: {error}") from None
    title, minutes, files = data.get("title"), data.get("minutes"), data.get("files")
    if not isinstance(title, str) or not title.strip():
        raise ManifestError(f'{where}: `title` must be text, e.g. title = "Kata 01 · Auto classes"')
    if not isinstance(minutes, int) or minutes <= 0:
        raise ManifestError(f"{where}: `minutes` must be a positive whole number")
    if not files or not isinstance(files, list) or not all(_is_file_name(f) for f in files):
        raise ManifestError(f'{where}: `files` must list the solution files, e.g. ["topic.py"]')
    tasks = tuple(_task(entry, files, where) for entry in data.get("task", []))
    if len({task.id for task in tasks}) != len(tasks):
        raise ManifestError(f"{where}: two [[task]] tables have the same id")
    return title.strip(), minutes, tuple(files), tasks


def _is_file_name(value: object) -> bool:
    return isinstance(value, str) and value.endswith(".py") and "/" not in value


def _task(entry: object, files: list[str], where: str) -> Task:
    if not isinstance(entry, dict):
        raise ManifestError(f"{where}: each [[task]] must be a table")
    task_id, title = entry.get("id"), entry.get("title")
    if not isinstance(task_id, str) or not re.fullmatch(r"\d+\.\d+", task_id):
        raise ManifestError(f'{where}: a task `id` must look like "1.3", got {task_id!r}')
    if not isinstance(title, str) or not title.strip():
        raise ManifestError(f"{where}: task {task_id} needs a `title`")
    file = entry.get("file", files[0])
    if file not in files:
        raise ManifestError(f"{where}: task {task_id} names file {file!r}, not in `files`")
    flags = entry.get("flags", [])
    if not isinstance(flags, list) or any(flag not in FLAGS for flag in flags):
        raise ManifestError(f"{where}: task {task_id} `flags` may hold {', '.join(FLAGS)}")
    hint = entry.get("hint", "")
    if not isinstance(hint, str):
        raise ManifestError(f"{where}: task {task_id} `hint` must be text")
    return Task(task_id, title.strip(), _clean(hint), file, tuple(flags))


def _clean(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text.strip())


def load_kata(folder: Path, root: Path) -> Kata:
    """Read one kata folder's manifest (parsed again only when the file changes)."""
    manifest = folder / MANIFEST
    stamp = manifest.stat().st_mtime_ns if manifest.exists() else 0
    return _load_kata(folder, root, stamp)


@functools.lru_cache(maxsize=64)
def _load_kata(folder: Path, root: Path, stamp: int) -> Kata:
    match = KATA_DIR.match(folder.name)
    if not match:
        raise ValueError(f"{folder.name!r} is not a kata folder name (expected NN_topic)")
    manifest = folder / MANIFEST
    if not manifest.exists():
        raise ManifestError(
            f"katas/{folder.name} has no {MANIFEST}: copy one from another kata and edit it "
            "(docs/authoring.md)"
        )
    title, minutes, files, tasks = parse_manifest(
        manifest.read_text(encoding="utf-8"), f"katas/{folder.name}/{MANIFEST}"
    )
    return Kata(int(match.group(1)), folder.name, title, minutes, tasks, root, files)


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
