"""What a test `show`s of the learner's result reaches `katas check` (and pytest's summary) under
its task, trimmed, and only once that task passes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hfkatas.plugin.shown import LINE_WIDTH, TASK_LINES

pytestmark = pytest.mark.timeout(180)

# Tests added to the fixture course's kata 01: each task shows something before its assertion.
SHOWING_TESTS = """
import pytest


@pytest.mark.task("1.1")
@pytest.mark.timeout(10)
def test_add_shows_the_sum(kata, show):
    total = kata.add(2, 40)
    show("sum", total)
    assert total == 42, "add(2, 40) should be 42: return a + b"


@pytest.mark.task("1.2")
@pytest.mark.timeout(10)
def test_shout_shows_what_it_shouted(kata, show):
    loud = kata.shout("hi there")
    show("shouted", loud)
    show("poem", "\\n".join(f"verse {n} " + "la " * 40 for n in range(6)))
    assert loud == "HI THERE"
"""


@pytest.fixture
def showing(checkout: Path) -> Path:
    """The fixture course with kata 01's showing tests; returns the learner's file."""
    (checkout / "katas" / "01_basics" / "test_shown.py").write_text(SHOWING_TESTS)
    return checkout / "katas" / "01_basics" / "basics.py"


def rows_under(stdout: str, task: str) -> list[str]:
    """The lines of the task table after `task`'s row, up to the next task's row."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[1:2] == [task])
    following: list[str] = []
    for line in lines[start + 1 :]:
        if not line.startswith(" ") or not line.strip():
            break
        following.append(line.strip())
    return following


def test_a_passing_tasks_shown_values_are_listed_under_it_trimmed(katas, solve, showing):
    solve("01", "shout")
    result = katas("check", "01")
    assert result.returncode == 1, f"task 1.1 still fails:\n{result.stdout}"
    under = rows_under(result.stdout, "1.2")
    assert under[:1] == ["shouted: HI THERE"], (
        f"the learner's own result belongs under its task's row:\n{result.stdout}"
    )
    assert len(under) == TASK_LINES, f"a task shows at most {TASK_LINES} lines:\n{result.stdout}"
    assert under[1:3] == ["poem:", under[2]] and under[2].startswith("verse 0 la la"), (
        f"a value of several lines follows, its label on a line of its own:\n{result.stdout}"
    )
    assert all(len(line) <= LINE_WIDTH for line in under), f"lines are cut:\n{result.stdout}"
    assert under[-1].endswith("…"), "a value that was cut ends in …, so the reader knows"
    assert "verse 5" not in result.stdout, "lines past the task's budget are left out"


def test_a_failing_task_keeps_its_failure_line_and_shows_nothing(katas, solve, showing):
    text = showing.read_text().replace(
        "    # TODO 1.1\n    raise NotImplementedError", "    return a * b + 1_000_000"
    )
    showing.write_text(text)
    solve("01", "shout")
    result = katas("check", "01")
    assert "add(2, 40) should be 42" in result.stdout, (
        f"a failing task still gets its failure line:\n{result.stdout}"
    )
    assert "1,000,080" not in result.stdout and "sum:" not in result.stdout, (
        f"a failing test's shown value must not appear (the failure says what is wrong):\n"
        f"{result.stdout}"
    )
    assert rows_under(result.stdout, "1.1") == [], "nothing is listed under a failing task"
    assert "shouted: HI THERE" in rows_under(result.stdout, "1.2"), "the passing task still shows"


def test_each_value_appears_once_under_its_own_task_only(katas, solve, showing):
    solve("01")
    result = katas("check", "01")
    assert result.returncode == 0, result.stdout
    assert rows_under(result.stdout, "1.1") == ["sum: 42"], result.stdout
    assert result.stdout.count("shouted: HI THERE") == 1, result.stdout
    assert "sum: 42" not in "\n".join(rows_under(result.stdout, "1.2")), result.stdout
    tokens = katas("check", "02")
    assert "shouted" not in tokens.stdout and "sum:" not in tokens.stdout, (
        f"another kata's check shows none of kata 01's values:\n{tokens.stdout}"
    )


def test_plain_pytest_lists_shown_values_in_its_closing_summary(checkout, showing, environment):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "katas/01_basics", "--solutions=reference", "-q"],
        cwd=checkout,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    summary = result.stdout.split("01_basics: 2/2 tasks pass", 1)[-1].splitlines()
    assert summary[1:3] == ["  1.1   sum: 42", "  1.2   shouted: HI THERE"], result.stdout


def test_watch_shows_the_values_after_checking_the_task_at_hand_first(katas, solve, showing):
    solve("01")
    result = katas("watch", "01", input="q\n")  # the first check, then quit
    assert "pass task 1.1 · Add two numbers" in result.stdout, (
        f"watch checks the task at hand first, then the rest:\n{result.stdout}"
    )
    assert rows_under(result.stdout, "1.1") == ["sum: 42"], result.stdout
    assert rows_under(result.stdout, "1.2")[:1] == ["shouted: HI THERE"], result.stdout
