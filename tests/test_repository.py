"""The repository keeps its promises: CI runs the README's command; the docs name real things."""

from __future__ import annotations

import re

import pytest

from hfkatas.curriculum import load_curriculum
from hfkatas.paths import repo_root

ROOT = repo_root()
pytestmark = pytest.mark.timeout(30)


def readme_commands() -> list[str]:
    block = re.search(r"## Quick start.*?```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block, "README.md lost its Quick start code block"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_quick_start_has_two_commands_and_ci_runs_the_test_one():
    commands = readme_commands()
    assert len(commands) == 2, commands
    ci_script = (ROOT / ".ci" / "run").read_text()
    assert commands[1] in ci_script.splitlines(), "CI must run the README's test command verbatim"


def test_the_readme_table_lists_every_kata_with_its_time():
    rows = re.findall(
        r"^\| \[(\d\d_\w+)\]\(katas/\1\) \|.*\| ~(\d+) min \|$",
        (ROOT / "README.md").read_text(),
        re.M,
    )
    listed = {slug: int(minutes) for slug, minutes in rows}
    expected = {kata.slug: kata.minutes for kata in load_curriculum(ROOT)}
    assert listed == expected, "README's curriculum table must match each kata's `Time:` line"
