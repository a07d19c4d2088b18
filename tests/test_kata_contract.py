"""Every kata keeps the course's contract: README, hints, markers, stubs, matching signatures."""

from __future__ import annotations

import pytest

from hfkatas.course.contract import (
    docstring_drift,
    missing_stub_imports,
    readme_problems,
    signature_mismatches,
    solution_file_problems,
    task_marker_problems,
    unfinished_stub_problems,
    variant_problems,
)
from hfkatas.course.curriculum import Kata, load_curriculum

KATAS = load_curriculum()
pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.parametrize("kata", KATAS, ids=[kata.slug for kata in KATAS]),
]


def test_readme_has_time_tasks_and_hints(kata: Kata):
    assert not readme_problems(kata), "\n".join(readme_problems(kata))


def test_every_test_names_a_task_and_every_task_is_tested(kata: Kata):
    problems = task_marker_problems(kata)
    assert not problems, "\n".join(problems)


def test_every_listed_solution_file_exists(kata: Kata):
    problems = solution_file_problems(kata)
    assert not problems, "\n".join(problems)


def test_stubs_are_unfinished(kata: Kata):
    problems = unfinished_stub_problems(kata)
    assert not problems, "\n".join(problems)


def test_stub_and_reference_signatures_match(kata: Kata):
    problems = signature_mismatches(kata)
    assert not problems, "\n".join(problems)


def test_ships_mistakes_and_alternatives_that_apply_and_are_listed(kata: Kata, tmp_path):
    problems = variant_problems(kata, tmp_path)
    assert not problems, "\n".join(problems)


def test_stub_and_reference_share_docstrings_and_constants(kata: Kata):
    problems = docstring_drift(kata)
    assert not problems, "\n".join(problems)


def test_stub_imports_what_the_reference_imports(kata: Kata):
    problems = missing_stub_imports(kata)
    assert not problems, "\n".join(problems)
