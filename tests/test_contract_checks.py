"""The kata contract checks catch what they claim to (run on broken copies of the sample kata)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from hfkatas.contract import (
    readme_problems,
    signature_mismatches,
    task_marker_problems,
    unfinished_stub_problems,
)
from hfkatas.curriculum import Kata, load_kata

pytestmark = pytest.mark.timeout(60)


def sample_kata(checkout: Path) -> Kata:
    for name in [m for m in sys.modules if m.endswith("_99_smoke")]:
        del sys.modules[name]
    return load_kata(checkout / "katas" / "99_smoke", checkout)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def test_the_pristine_sample_passes_every_check(sample_checkout):
    kata = sample_kata(sample_checkout)
    for check in (readme_problems, task_marker_problems, unfinished_stub_problems):
        assert check(kata) == [], check.__name__
    assert signature_mismatches(kata) == []


def test_a_changed_signature_is_reported(sample_checkout):
    edit(
        sample_checkout / "reference/99_smoke/smoke.py", "def add(a: int, b: int)", "def add(a, b)"
    )
    assert signature_mismatches(sample_kata(sample_checkout)) == [
        "add: stub (a: int, b: int) -> int != reference (a, b) -> int"
    ]


def test_a_missing_hint_and_marker_are_reported(sample_checkout):
    kata_dir = sample_checkout / "katas/99_smoke"
    edit(kata_dir / "README.md", "<details><summary>Hint</summary>\n\nUse `+`.", "<!--")
    edit(kata_dir / "README.md", "</details>\n\n### Task 99.2", "-->\n\n### Task 99.2")
    edit(kata_dir / "test_smoke.py", '@pytest.mark.task("99.1")\n', "")
    kata = sample_kata(sample_checkout)
    assert readme_problems(kata) == ["task 99.1 has no hint (<details><summary>Hint</summary>)"]
    assert task_marker_problems(kata) == [
        "test_smoke.py::test_add has no @pytest.mark.task(...)",
        "task 99.1 has no test",
    ]


def test_a_finished_stub_is_reported(sample_checkout):
    edit(
        sample_checkout / "katas/99_smoke/smoke.py",
        "    # TODO 99.1\n    raise NotImplementedError",
        "    return a + b",
    )
    assert unfinished_stub_problems(sample_kata(sample_checkout)) == [
        "stub add() does not raise NotImplementedError"
    ]
