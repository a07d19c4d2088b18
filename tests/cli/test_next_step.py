"""`katas check` says exactly what to do next in every state a learner's file can be in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(180)

CONFIG_CLASSES = ", ".join(f"Model{index}Config" for index in range(45))


def line_number(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_syntax_error_is_one_line_keeps_the_progress_and_exits_4(katas, solve, home: Path):
    mine = solve("01", "add")
    assert katas("check", "01").returncode == 1, "1.1 passes, 1.2 does not"
    saved = (home / "progress.json").read_text()
    mine.write_text(mine.read_text().replace("def shout(text: str) -> str:", "def shout(text:"))
    broken_line = line_number(mine, "def shout(text:")
    result = katas("check", "01")
    assert result.returncode == 4, f"a file that does not import must exit 4:\n{result.stdout}"
    assert f"katas/01_basics/basics.py:{broken_line}: syntax error" in result.stdout, (
        f"one line with the file, the line and what is wrong:\n{result.stdout}"
    )
    assert "next: fix the syntax error" in result.stdout, "the next step is the syntax error"
    assert "task 1.1" not in result.stdout and "FAIL" not in result.stdout, (
        f"no task is marked failing because of a syntax error:\n{result.stdout}"
    )
    assert (home / "progress.json").read_text() == saved, "the recorded progress must be kept"
    assert "1/2" in katas("list").stdout, "`katas` still shows the progress before the error"
    assert "Task 1.2" in katas("hint").stdout, "`katas hint` still points at the task at hand"


def test_an_error_in_top_level_code_names_its_line(katas, checkout: Path):
    mine = checkout / "katas" / "01_basics" / "basics.py"
    mine.write_text(mine.read_text() + "\nLIMIT = undefined_name + 1\n")
    result = katas("check", "01")
    where = line_number(mine, "LIMIT = undefined_name")
    assert result.returncode == 4, f"a file that does not import must exit 4:\n{result.stdout}"
    assert f"basics.py:{where}: NameError: name 'undefined_name' is not defined" in result.stdout
    assert f"next: fix line {where} so the file imports" in result.stdout, result.stdout


def test_a_raw_exception_names_the_test_and_the_learners_line(katas, checkout: Path):
    mine = checkout / "katas" / "01_basics" / "basics.py"
    mine.write_text(
        mine.read_text().replace("# TODO 1.1\n    raise NotImplementedError", 'return a + "0"', 1)
    )
    result = katas("check", "01")
    raising = line_number(mine, 'return a + "0"')
    test_line = line_number(checkout / "katas" / "01_basics" / "test_basics.py", "kata.add(2, 40)")
    assert "task 1.1 add: TypeError: unsupported operand" in result.stdout, result.stdout
    assert f"raised at katas/01_basics/basics.py:{raising} in add" in result.stdout, (
        f"the learner's line that raised must be shown:\n{result.stdout}"
    )
    assert (
        f"in test katas/01_basics/test_basics.py::test_add (line {test_line})" in result.stdout
    ), f"the failing test (a pytest id the learner can run) and its line:\n{result.stdout}"


def test_a_long_library_message_is_cut_to_one_short_line(katas, checkout: Path):
    mine = checkout / "katas" / "01_basics" / "basics.py"
    raising = (
        "raise ValueError(\"Unrecognized configuration class <class 'x.configuration_t5.T5Config'>"
        f' for this kind of AutoModel. Model type should be one of {CONFIG_CLASSES}.")'
    )
    mine.write_text(mine.read_text().replace("raise NotImplementedError", raising, 1))
    result = katas("check", "01")
    line = next(line for line in result.stdout.splitlines() if line.startswith("task 1.1"))
    assert "one of Model0Config, Model1Config, Model2Config, … (45 in all)" in line, line
    assert "class T5Config for" in line, "a class repr reads as the class name"
    assert len(line) <= 300 and "Model44Config" not in result.stdout, (
        f"the full list of 45 names must not reach the screen:\n{result.stdout}"
    )


def test_a_task_whose_gpu_tests_were_skipped_says_so(katas, solve, home: Path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("on a CUDA machine the GPU test runs: nothing is skipped to report")
    solve("02", "count_words")
    result = katas("check", "02")
    row = next(line for line in result.stdout.splitlines() if " 2.2 " in f" {line} ")
    assert row.startswith("pass"), f"the CPU part passes, so the task passes:\n{result.stdout}"
    assert "CPU part passes; 1 GPU test skipped (`nox -s cuda`)" in row, result.stdout
    saved = json.loads((home / "progress.json").read_text())["katas"]["02_tokens"]
    assert saved["gpu_skipped"] == {"2.2": 1}, "`katas` later shows the same from the state"
