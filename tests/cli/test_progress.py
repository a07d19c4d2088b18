"""`katas`, `katas list`, `katas check` and `katas hint`, run as a learner runs them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(180)


def test_list_shows_every_kata_its_tasks_time_and_the_next_step(katas):
    result = katas()
    assert result.returncode == 0, f"`katas` should succeed on a fresh checkout: {result.stderr}"
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line[:2].isdigit()}
    assert set(rows) == {"01_basics", "02_tokens"}, f"every kata needs a row:\n{result.stdout}"
    assert "0/2" in rows["01_basics"] and "~10 min" in rows["01_basics"], (
        f"a row shows tasks passed / total and the time from the README:\n{rows['01_basics']}"
    )
    assert "not started" in rows["02_tokens"], "a kata never checked should read 'not started'"
    assert "next:" in result.stdout and "01_basics" in result.stdout.split("next:")[1], (
        "with nothing done, the next step is the first kata"
    )
    assert katas("list").stdout == result.stdout, "`katas list` and bare `katas` are the same"


def test_check_names_the_first_failing_task_its_message_and_the_hint_command(katas):
    result = katas("check")
    assert result.returncode == 1, "a check with failing tasks must exit with status 1"
    assert "0/2 tasks pass" in result.stdout, f"the summary counts tasks:\n{result.stdout}"
    assert "task 1.1 add: not implemented yet" in result.stdout, (
        f"the first failure is shown in the learner's words:\n{result.stdout}"
    )
    assert "katas hint 1.1" in result.stdout, "the learner must be told how to get the hint"
    assert result.stdout.count("not implemented yet") == 1, (
        "only the first failure's message is shown, not every failure"
    )


def test_progress_survives_a_restart_and_check_moves_on_to_the_next_kata(katas, solve, home: Path):
    solve("01", "add")
    partial = katas("check", "01")
    assert partial.returncode == 1, "one of two tasks passing is not done yet: status 1"
    assert "1/2 tasks pass" in partial.stdout and "task 1.2 shout" in partial.stdout, (
        f"the check should report 1.1 passing and 1.2 as the first failure:\n{partial.stdout}"
    )
    saved = json.loads((home / "progress.json").read_text())
    assert saved["katas"]["01_basics"]["tasks"] == {"1.1": "pass", "1.2": "fail"}, (
        "the state file must keep each task's last status"
    )
    listing = katas("list")
    assert "1/2" in listing.stdout and "in progress" in listing.stdout, (
        f"a new `katas list` process must read the saved progress:\n{listing.stdout}"
    )
    solve("01")
    done = katas("check")
    assert done.returncode == 0, f"every task passing must exit 0:\n{done.stdout}"
    assert "next: `katas check 02_tokens`" in done.stdout, "a finished kata points to the next"
    following = katas("check")
    assert "02_tokens" in following.stdout.splitlines()[0], (
        "with 01 done, a bare `katas check` goes to the first unfinished kata"
    )


def test_hint_defaults_to_the_next_failing_task_and_takes_kata_dot_task(katas, solve):
    solve("01", "add")
    katas("check", "01")
    default = katas("hint")
    assert default.returncode == 0 and "Task 1.2 · Shout" in default.stdout, (
        f"with 1.1 passing, `katas hint` shows task 1.2's hint:\n{default.stdout}"
    )
    assert "upper()" in default.stdout, "the hint text from the README must be shown"
    for spelling in ("1.1", "01.1", "basics.1", "01_basics.1.1"):
        explicit = katas("hint", spelling)
        assert "Task 1.1 · Add two numbers" in explicit.stdout, f"`katas hint {spelling}` failed"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("check", "7"), "01_basics, 02_tokens"),
        (("hint", "1.9"), "1.1, 1.2"),
        (("solution", "nope"), "01_basics, 02_tokens"),
    ],
)
def test_unknown_names_give_a_clear_error_listing_the_valid_ones(katas, args, expected):
    result = katas(*args)
    assert result.returncode == 2, "an unknown kata or task is a usage error: status 2"
    assert expected in result.stderr, f"the error must list the valid names:\n{result.stderr}"
    assert "Traceback" not in result.stderr, "no traceback for a typo"


def test_a_piped_error_is_one_whole_line_however_long(katas):
    """A pipe or a log file gets the message whole: no break inside the list of valid names
    (the error console used to wrap at 80 columns), and brackets in it are not eaten as
    rich markup."""
    name = "[typo]-a-kata-name-long-enough-to-push-the-list-of-valid-katas-past-any-width"
    result = katas("check", name)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"a piped error must stay on one line:\n{result.stderr}"
    assert name in lines[0], f"the name the learner typed must be shown as typed: {lines[0]}"
    assert lines[0].endswith("The katas are: 01_basics, 02_tokens"), (
        f"the list of valid names must end the line, whole: {lines[0]}"
    )


def test_works_from_any_folder_of_the_checkout(katas, checkout: Path):
    result = katas("list", cwd=checkout / "katas" / "02_tokens")
    assert result.returncode == 0 and "01_basics" in result.stdout, (
        f"`katas` must find the checkout from a subfolder:\n{result.stderr}"
    )


def test_check_changes_nothing_in_the_katas_folder(katas, checkout: Path):
    katas("check", "02")
    status = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "katas"],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    assert status == "", f"`katas check` left files in katas/:\n{status}"


def test_a_kata_whose_tests_cannot_be_collected_is_reported_with_status_4(katas, checkout: Path):
    (checkout / "katas" / "01_basics" / "test_basics.py").write_text("def broken(:\n")
    result = katas("check", "01")
    assert result.returncode == 4, f"tests that cannot run must exit 4:\n{result.stdout}"
    assert "could not run" in result.stdout and "katas reset 01_basics" in result.stdout, (
        "the learner must be told the tests did not run and how to restore them"
    )
