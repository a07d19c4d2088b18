"""The kata contract checks catch what they claim to (run on broken copies of the sample kata)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from hfkatas.course.contract import (
    missing_stub_imports,
    readme_problems,
    signature_mismatches,
    solution_file_problems,
    task_marker_problems,
    unfinished_stub_problems,
)
from hfkatas.course.curriculum import Kata, load_kata

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
        "smoke.py: add: stub (a: int, b: int) -> int != reference (a, b) -> int"
    ]


def test_a_missing_hint_and_marker_are_reported(sample_checkout):
    kata_dir = sample_checkout / "katas/99_smoke"
    edit(kata_dir / "kata.toml", "hint = '''\nUse `+`.\n'''\n", "")
    edit(kata_dir / "test_smoke.py", '@pytest.mark.task("99.1")\n', "")
    kata = sample_kata(sample_checkout)
    assert readme_problems(kata) == ["task 99.1 has no `hint` in kata.toml"]
    assert task_marker_problems(kata) == [
        "test_smoke.py::test_add has no @pytest.mark.task(...)",
        "task 99.1 has no test",
    ]


def test_readme_drifting_from_the_manifest_is_reported(sample_checkout):
    kata_dir = sample_checkout / "katas/99_smoke"
    edit(
        kata_dir / "README.md",
        "### Task 99.2 · A tokenizer ready for batches",
        "### Task 99.2 · Pad",
    )
    edit(kata_dir / "README.md", "Time: about 5 minutes", "Time: about 7 minutes")
    problems = readme_problems(sample_kata(sample_checkout))
    assert problems[0] == "README.md should say `Time: about 5 minutes` (kata.toml)"
    assert problems[1].startswith("README.md's task headings differ from kata.toml")
    assert "`### Task 99.2 · A tokenizer ready for batches`" in problems[1]


def test_flags_must_match_the_tests_markers(sample_checkout):
    edit(
        sample_checkout / "katas/99_smoke/test_smoke.py",
        '@pytest.mark.task("99.3")\n',
        '@pytest.mark.task("99.3")\n@pytest.mark.cuda\n',
    )
    assert task_marker_problems(sample_kata(sample_checkout)) == [
        "task 99.3: kata.toml says flags = [], its tests are marked ['cuda']"
    ]


def test_every_solution_file_is_checked(sample_checkout):
    kata_dir, reference = sample_checkout / "katas/99_smoke", sample_checkout / "reference/99_smoke"
    edit(kata_dir / "kata.toml", 'files = ["smoke.py"]', 'files = ["smoke.py", "cli.py"]')
    edit(kata_dir / "kata.toml", 'id = "99.3"', 'id = "99.3"\nfile = "cli.py"')
    (kata_dir / "cli.py").write_text(
        "def main(argv: list[str]) -> None:\n    raise NotImplementedError\n"
    )
    (reference / "cli.py").write_text("def main(argv) -> None:\n    print(argv)\n")
    kata = sample_kata(sample_checkout)
    assert signature_mismatches(kata) == [
        "cli.py: main: stub (argv: list[str]) -> None != reference (argv) -> None"
    ]
    assert unfinished_stub_problems(kata) == [
        "cli.py has no `# TODO 99.3` marker (kata.toml puts the task there)"
    ]
    (reference / "cli.py").unlink()
    assert solution_file_problems(kata) == [
        "reference/99_smoke/cli.py is listed in kata.toml but missing"
    ]


def test_a_finished_stub_is_reported(sample_checkout):
    edit(
        sample_checkout / "katas/99_smoke/smoke.py",
        "    # TODO 99.1\n    raise NotImplementedError",
        "    return a + b",
    )
    assert unfinished_stub_problems(sample_kata(sample_checkout)) == [
        "stub add() does not raise NotImplementedError",
        "smoke.py has no `# TODO 99.1` marker (kata.toml puts the task there)",
    ]


def test_an_import_only_the_reference_has_is_reported(sample_checkout):
    reference = sample_checkout / "reference/99_smoke/smoke.py"
    reference.write_text("import math\nfrom json import dumps as to_json\n" + reference.read_text())
    assert missing_stub_imports(sample_kata(sample_checkout)) == [
        "smoke.py: the reference imports math but the stub does not",
        "smoke.py: the reference imports to_json but the stub does not",
    ]
