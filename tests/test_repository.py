"""The repository keeps its promises: CI runs the README's command; the docs name real things."""

from __future__ import annotations

import re
from importlib import metadata

import pytest
from packaging.requirements import Requirement

from hfkatas.course.curriculum import load_curriculum
from hfkatas.paths import repo_root
from hfkatas.setup.pypi import locked_versions, normal_name

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


def test_both_readme_commands_install_the_tested_versions():
    for command in readme_commands():
        assert command.startswith("pip install -c constraints.txt torch=="), command
        assert "katas setup" in command, "each command prepares everything before going offline"


def test_the_lock_pins_every_dependency_within_its_supported_range():
    """Fails when a dependency changed without `nox -s lock` (then run `.ci/run`)."""
    locked = locked_versions(ROOT)
    requires = [Requirement(text) for text in metadata.requires("hf-katas") or []]
    for requirement in requires:
        if requirement.marker and not requirement.marker.evaluate({"extra": "dev"}):
            continue  # not for this Python
        name = normal_name(requirement.name)
        assert name in locked, f"{name} is not in constraints.txt: run `nox -s lock`"
        assert requirement.specifier.contains(locked[name]), (
            f"constraints.txt pins {name}=={locked[name]}, outside {requirement.specifier}: "
            "run `nox -s lock`"
        )
