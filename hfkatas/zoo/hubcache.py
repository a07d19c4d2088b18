"""Install a model folder into the Hugging Face Hub cache layout, atomically and verifiably.

`$HF_HOME/hub/models--ORG--NAME/{refs/main, snapshots/SHA/...}` is what `from_pretrained(repo_id)`
resolves offline. A build is written to a temporary folder, moved into place, and only then
marked complete (`.katas/SHA.json` lists its files and sizes), so a half-written entry is
detected and rebuilt instead of failing cryptically; a staging folder left by a killed build is
removed by the next build of the same model.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock


def repo_folder(hub_cache: Path, repo_id: str) -> Path:
    return hub_cache / ("models--" + repo_id.replace("/", "--"))


def _manifest(snapshot: Path) -> dict[str, int]:
    return {
        str(p.relative_to(snapshot)): p.stat().st_size
        for p in sorted(snapshot.rglob("*"))
        if p.is_file()
    }


def cached_snapshot(hub_cache: Path, repo_id: str, revision: str) -> Path | None:
    """The snapshot folder if a complete, intact build of `revision` is installed."""
    folder = repo_folder(hub_cache, repo_id)
    marker = folder / ".katas" / f"{revision}.json"
    snapshot = folder / "snapshots" / revision
    ref = folder / "refs" / "main"
    if not (marker.is_file() and snapshot.is_dir() and ref.is_file()):
        return None
    try:
        expected = json.loads(marker.read_text())
    except (OSError, ValueError):
        return None
    if ref.read_text().strip() != revision or _manifest(snapshot) != expected:
        return None
    return snapshot


def install(hub_cache: Path, repo_id: str, revision: str, build: Callable[[Path], None]) -> Path:
    """Return the snapshot of `revision`, building it with `build(folder)` unless intact."""
    folder = repo_folder(hub_cache, repo_id)
    folder.mkdir(parents=True, exist_ok=True)
    locks = hub_cache / ".katas-locks"
    locks.mkdir(exist_ok=True)
    with FileLock(str(locks / f"{folder.name}.lock")):
        if (snapshot := cached_snapshot(hub_cache, repo_id, revision)) is not None:
            return snapshot
        shutil.rmtree(folder, ignore_errors=True)
        prefix = f".katas-build-{folder.name}-"
        for stale in hub_cache.glob(f"{prefix}*"):  # left by a killed build of this model
            shutil.rmtree(stale, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(prefix=prefix, dir=hub_cache))
        try:
            build(staging)
            snapshot = folder / "snapshots" / revision
            snapshot.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging, snapshot)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        (folder / "refs").mkdir(exist_ok=True)
        (folder / "refs" / "main").write_text(revision)
        (folder / ".katas").mkdir(exist_ok=True)
        marker = folder / ".katas" / f"{revision}.json"
        marker.with_suffix(".tmp").write_text(json.dumps(_manifest(snapshot)))
        os.replace(marker.with_suffix(".tmp"), marker)
        return snapshot
