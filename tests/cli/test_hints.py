"""Hints teach before they tell: the README's nudge first, the calls only with `--more`."""

from __future__ import annotations

import pytest

from hfkatas.cli.calls import reference_calls
from hfkatas.course.curriculum import load_curriculum
from hfkatas.paths import repo_root

pytestmark = pytest.mark.timeout(120)


def test_hint_nudges_first_and_more_goes_down_to_the_call(katas):
    nudge = katas("hint", "1.2")
    assert nudge.returncode == 0 and "Strings have an `upper()` method." in nudge.stdout
    assert "text.upper()" not in nudge.stdout, "the first level must not give the call away"
    assert "katas hint 1.2 --more" in nudge.stdout, "the learner is told how to go further"
    more = katas("hint", "1.2", "--more")
    assert more.returncode == 0 and "  text.upper()" in more.stdout, (
        f"--more names the call the reference makes:\n{more.stdout}"
    )
    assert "a + b" not in more.stdout, "only this task's calls, not another task's code"


def test_more_looks_into_the_references_own_helpers(katas, checkout):
    reference = checkout / "reference" / "01_basics" / "basics.py"
    reference.write_text(
        reference.read_text().replace("return text.upper()", "return _loud(text)")
        + "\n\ndef _loud(text: str) -> str:\n    return text.upper().strip()\n"
    )
    more = katas("hint", "1.2", "--more")
    assert "  text.upper().strip()" in more.stdout and "_loud" not in more.stdout, (
        f"a helper the learner doesn't have is shown by its calls, not its name:\n{more.stdout}"
    )


@pytest.mark.parametrize("kata", load_curriculum(repo_root()), ids=lambda kata: kata.slug)
def test_every_task_of_the_course_has_both_hint_levels(kata):
    for task in kata.tasks:
        assert task.hint.strip(), f"task {task.id} has no hint in its README"
        assert reference_calls(repo_root(), kata, task.id), (
            f"task {task.id}: `katas hint --more` finds no call in the reference: mark its "
            f"functions `# TODO {task.id}` in the stub or name them in backticks in the task text"
        )
