"""What the README and docs quote about the katas (task ids, function names, task counts, the
one-line failure) agrees with the manifests and with what the plugin really prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hfkatas.cli.pristine import task_definitions
from hfkatas.course.curriculum import Kata, load_curriculum
from hfkatas.paths import repo_root
from hfkatas.plugin.failures import NOT_IMPLEMENTED, Failure, render

ROOT = repo_root(Path(__file__).parent)
KATAS = {kata.number: kata for kata in load_curriculum(ROOT)}
DOCS = [ROOT / "README.md", ROOT / "docs" / "cli.md", *sorted(ROOT.glob("katas/*/README.md"))]
FAILURE_LINE = re.compile(r"task (\d+)\.(\d+) ([A-Za-z_][\w.]*): not implemented yet — hint")
TASK_COUNT = re.compile(r"(\d\d_[a-z0-9_]+): (\d+)/(\d+) tasks pass")
TASK_COMMAND = re.compile(r"katas (?:hint|reset|check) (\d+)\.(\d+)\b")

pytestmark = [
    pytest.mark.timeout(60),
    pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS]),
]


def task_of(number: str, index: str) -> tuple[Kata | None, str]:
    kata = KATAS.get(int(number))
    task_id = f"{int(number)}.{int(index)}"
    return kata, task_id if kata and kata.task(task_id) else ""


def functions_of(kata: Kata, task_id: str) -> set[str]:
    """The public functions whose stub carries the task's `# TODO` marker."""
    task = kata.task(task_id)
    assert task is not None
    return set(task_definitions((kata.folder / task.file).read_text(encoding="utf-8"), task_id))


def test_quoted_failure_lines_name_the_right_task_and_function(doc: Path):
    for number, index, function in FAILURE_LINE.findall(doc.read_text(encoding="utf-8")):
        kata, task_id = task_of(number, index)
        assert kata and task_id, f"{doc.name} quotes task {number}.{index}, which does not exist"
        assert function in functions_of(kata, task_id), (
            f"{doc.name} quotes `task {task_id} {function}`, but task {task_id} is "
            f"{', '.join(sorted(functions_of(kata, task_id)))}"
        )
        task = kata.task(task_id)
        assert task is not None
        printed = render(task_id, Failure(NOT_IMPLEMENTED, function, ""), task.hint, task.title)
        assert printed.startswith(f"task {task_id} {function}: not implemented yet — hint: "), (
            f"the plugin prints {printed!r}, not what {doc.name} quotes"
        )


def test_quoted_task_counts_match_the_manifest(doc: Path):
    for slug, passed, total in TASK_COUNT.findall(doc.read_text(encoding="utf-8")):
        kata = next((k for k in KATAS.values() if k.slug == slug), None)
        assert kata, f"{doc.name} quotes kata {slug}, which does not exist"
        assert int(total) == len(kata.tasks) and int(passed) <= int(total), (
            f"{doc.name} says `{slug}: {passed}/{total} tasks pass`; {slug} has {len(kata.tasks)} tasks"
        )


def test_quoted_task_commands_name_existing_tasks(doc: Path):
    for number, index in TASK_COMMAND.findall(doc.read_text(encoding="utf-8")):
        kata, task_id = task_of(number, index)
        assert kata and task_id, f"{doc.name} mentions task {number}.{index}, which does not exist"
