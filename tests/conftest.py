"""Fixtures for the toolkit's own tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hfkatas.paths import katas_home, repo_root

ROOT = repo_root(Path(__file__).parent)
SAMPLE = ROOT / "tests" / "sample_repo"
CHECKOUT_FILES = ("pyproject.toml", "conftest.py", "fixtures")
collect_ignore = ["sample_repo"]  # run only inside a throwaway checkout (`sample_checkout`)


@pytest.fixture
def sample_checkout(tmp_path: Path) -> Path:
    """A throwaway checkout holding only the sample kata `99_smoke` (learner and reference)."""
    checkout = tmp_path / "checkout"
    shutil.copytree(SAMPLE, checkout)
    for name in CHECKOUT_FILES:
        source = ROOT / name
        copy = shutil.copytree if source.is_dir() else shutil.copy
        copy(source, checkout / name)
    return checkout


def checkout_env(checkout: Path) -> dict[str, str]:
    """Environment for a process run inside `checkout`, sharing this checkout's built model zoo."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "KATAS_"))}
    env.update(KATAS_ROOT=str(checkout), KATAS_HOME=str(katas_home(ROOT)), NO_COLOR="1")
    return env


@pytest.fixture
def run_pytest(sample_checkout: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run pytest in the sample checkout (`env`: variables to change); returns the completed
    process (stdout + stderr)."""

    def run(
        *args: str, timeout: float = 120, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:randomly", *args],
            cwd=sample_checkout,
            env={**checkout_env(sample_checkout), **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run
