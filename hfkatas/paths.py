"""Where things live: the checkout's root and the toolkit's state folder."""

from __future__ import annotations

import os
from pathlib import Path

ROOT_MARKERS = ("katas", "reference", "pyproject.toml")


def _is_root(path: Path) -> bool:
    return all((path / marker).exists() for marker in ROOT_MARKERS)


def repo_root(start: Path | None = None) -> Path:
    """The checkout's root: `$KATAS_ROOT`, else the nearest folder above `start` (or the cwd)
    holding `katas/`, `reference/` and `pyproject.toml`, else the folder above this package."""
    if env := os.environ.get("KATAS_ROOT"):
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if _is_root(candidate):
            return candidate
    package_parent = Path(__file__).resolve().parent.parent
    if _is_root(package_parent):
        return package_parent
    raise FileNotFoundError(
        f"No hf-katas checkout found at or above {here}: run this from inside your clone "
        "(the folder with katas/ and reference/), or set KATAS_ROOT."
    )


def katas_home(root: Path | None = None) -> Path:
    """The toolkit's private state folder (model zoo cache, progress, backups): `$KATAS_HOME`,
    else `<root>/.katas`. It is git-ignored and never inside the learner's own HF cache."""
    if env := os.environ.get("KATAS_HOME"):
        return Path(env).resolve()
    return (root or repo_root()) / ".katas"
