"""The repository keeps its promises: CI runs the README's command; the docs name real things."""

from __future__ import annotations

import re

import pytest

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


def test_every_kata_in_the_readme_table_exists():
    linked = re.findall(r"\]\(katas/(\d\d_\w+)\)", (ROOT / "README.md").read_text())
    missing = [slug for slug in linked if not (ROOT / "katas" / slug).is_dir()]
    assert not missing, f"README links katas that do not exist: {missing}"
