"""Share a kata's conftest fixtures with the benchmarks that sit beside its reference solution."""

from __future__ import annotations

import importlib.util
from typing import Any

from hfkatas.paths import repo_root


def kata_fixtures(slug: str) -> dict[str, Any]:
    """The public names of `katas/<slug>/conftest.py` (its fixtures), for a conftest to re-export."""
    path = repo_root() / "katas" / slug / "conftest.py"
    spec = importlib.util.spec_from_file_location(f"hfkatas_conftest_{slug}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {name: value for name, value in vars(module).items() if not name.startswith("__")}
