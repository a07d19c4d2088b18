"""Fixtures for the `katas` command's tests: a throw-away git checkout of a tiny course, and a
way to run `katas` in it as a subprocess (the way a learner does)."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hfkatas.paths import katas_home, repo_root

collect_ignore = ["fixture_repo"]  # its kata tests fail on purpose: they run only via `katas`

FIXTURE = Path(__file__).parent / "fixture_repo"
COMMAND_TIMEOUT = 120

Katas = Callable[..., subprocess.CompletedProcess[str]]


def git(folder: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.email=learner@example.com", "-c", "user.name=Learner", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return result.stdout


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A git clone-like copy of a two-kata course, with the project's pytest set-up."""
    root = tmp_path / "course"
    shutil.copytree(FIXTURE, root)
    real = repo_root()
    for name in ("pyproject.toml", "conftest.py"):
        shutil.copy(real / name, root / name)
    (root / ".gitignore").write_text(".katas/\n__pycache__/\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the course as shipped")
    return root


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A fresh state folder that reuses the already-built model zoo (read-only use)."""
    folder = tmp_path / "katas-home"
    folder.mkdir()
    (folder / "hf_home").symlink_to(katas_home(repo_root()) / "hf_home")
    return folder


def learner_env(home: Path) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("KATAS_ROOT", "KATAS_SOLUTIONS", "PYTEST_ADDOPTS", "COLUMNS")
        and not key.startswith("PYTEST_")
    }
    environment.update(KATAS_HOME=str(home), PYTHONDONTWRITEBYTECODE="1", NO_COLOR="1")
    return environment


@pytest.fixture
def environment(home: Path) -> dict[str, str]:
    """The environment `katas` runs in: plain output, state in `home`, no pytest leftovers."""
    return learner_env(home)


@pytest.fixture
def katas(checkout: Path, environment: dict[str, str]) -> Katas:
    """Run `katas ARGS...` in the checkout (or `cwd`); stdin is closed unless `input` is given."""

    def run(
        *args: str, cwd: Path | None = None, input: str | None = None, env: dict | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hfkatas.cli", *args],
            cwd=cwd or checkout,
            env={**environment, **(env or {})},
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )

    return run


def definition(source: str, name: str) -> str:
    """The source of the top-level function `name`."""
    lines = source.splitlines(keepends=True)
    node = next(n for n in ast.parse(source).body if getattr(n, "name", "") == name)
    return "".join(lines[node.lineno - 1 : node.end_lineno])


@pytest.fixture
def solve(checkout: Path) -> Callable[..., Path]:
    """`solve("01")` copies the reference over the learner's file; `solve("01", "add")` solves
    one function only. Returns the learner's file."""

    def write(kata: str, *names: str) -> Path:
        slug, module = {"01": ("01_basics", "basics.py"), "02": ("02_tokens", "tokens.py")}[kata]
        reference = (checkout / "reference" / slug / module).read_text()
        target = checkout / "katas" / slug / module
        text = target.read_text()
        for name in names:
            text = text.replace(definition(text, name), definition(reference, name))
        target.write_text(text if names else reference)
        return target

    return write
