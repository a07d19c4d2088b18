"""Which task `katas watch` checks first: the task of the function the learner just changed,
in any of the kata's solution files, preferring a failing task when a function has two."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfkatas.cli.course import Course
from hfkatas.cli.output import Output
from hfkatas.cli.watch import Session

from .conftest import git

pytestmark = pytest.mark.timeout(60)

SECOND_FILE = '''"""Kata 01: a second solution file."""


def shout_sum(a: int, b: int) -> str:
    """Return the sum of a and b, as text in upper case."""
    # TODO 1.3
    # TODO 1.4
    raise NotImplementedError
'''


@pytest.fixture
def course(checkout: Path, home: Path) -> Course:
    """The fixture course, its kata 01 with a second solution file holding tasks 1.3 and 1.4."""
    kata_dir = checkout / "katas" / "01_basics"
    manifest = kata_dir / "kata.toml"
    text = manifest.read_text().replace('files = ["basics.py"]', 'files = ["basics.py", "more.py"]')
    for task_id in ("1.3", "1.4"):
        text += f'\n[[task]]\nid = "{task_id}"\ntitle = "Task {task_id}"\nfile = "more.py"\n'
    manifest.write_text(text)
    (kata_dir / "more.py").write_text(SECOND_FILE)
    git(checkout, "add", "-A")
    git(checkout, "commit", "-qm", "a second solution file")
    return Course(checkout, home)


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new))


def test_a_change_in_the_second_file_focuses_its_task(course: Course, checkout: Path):
    session = Session(Output(), course, course.kata("01"), manual=True)
    assert session.focus() == "1.1", "nothing changed yet: the first failing task"
    edit(checkout / "katas/01_basics/more.py", "raise NotImplementedError", "return str(a + b)")
    assert session.focus() == "1.3"
    assert session.focus() == "1.1", "once seen, a change no longer moves the focus"


def test_a_function_of_two_tasks_focuses_the_one_still_failing(course: Course, checkout: Path):
    kata = course.kata("01")
    session = Session(Output(), course, kata, manual=True)
    course.progress.katas[kata.slug] = type(course.progress.of(kata))(
        {"1.1": "pass", "1.2": "pass", "1.3": "pass"}
    )
    edit(checkout / "katas/01_basics/more.py", "raise NotImplementedError", "return str(a + b)")
    assert session.focus() == "1.4"
