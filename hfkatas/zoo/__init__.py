"""The offline model zoo: every model a kata needs, loadable by repo id like on the real Hub.

    zoo = Zoo(katas_home())
    repo_id = zoo.repo_id("chat")          # "HuggingFaceTB/SmolLM2-135M-Instruct", built once
    AutoModelForCausalLM.from_pretrained(repo_id)

`zoo.variant("tiny-causal", hidden_size=64)` builds a resized copy of a tiny model under its own
repo id, so tests can vary sizes and no hard-coded answer passes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from hfkatas.zoo import hubcache
from hfkatas.zoo.catalog import CATALOG, Recipe


class UnknownModelError(LookupError):
    """A role or repo id the zoo does not have."""


class Zoo:
    """Builds zoo models into an isolated Hugging Face cache and hands out their repo ids."""

    def __init__(self, home: Path, overrides: dict[str, str] | None = None) -> None:
        self.hub_cache = home / "hf_home" / "hub"
        self.hub_cache.mkdir(parents=True, exist_ok=True)
        self.overrides = dict(overrides or {})
        self._variants: dict[str, Recipe] = {}

    @staticmethod
    def roles() -> dict[str, Recipe]:
        return dict(CATALOG)

    def recipe(self, role_or_repo_id: str) -> Recipe:
        for key, recipe in (*CATALOG.items(), *self._variants.items()):
            if role_or_repo_id in (key, recipe.repo_id):
                return recipe
        known = ", ".join(f"{role} ({recipe.repo_id})" for role, recipe in CATALOG.items())
        raise UnknownModelError(f"the model zoo has no {role_or_repo_id!r}. It has: {known}")

    def repo_id(self, role: str) -> str:
        """The repo id for `role`, built into the cache first if needed (or the override)."""
        if role in self.overrides:
            return self.overrides[role]
        recipe = self.recipe(role)
        hubcache.install(self.hub_cache, recipe.repo_id, recipe.revision, recipe.build)
        return recipe.repo_id

    def path(self, role: str) -> Path:
        """The local snapshot folder of a zoo model (for toolkit internals, never learner code)."""
        recipe = self.recipe(role)
        return hubcache.install(self.hub_cache, recipe.repo_id, recipe.revision, recipe.build)

    def variant(self, role: str, **params: Any) -> str:
        """A tiny model like `role` with some config values changed, under its own repo id."""
        base = self.recipe(role)
        merged = {**base.params, **params}
        digest = hashlib.sha1(json.dumps(merged, sort_keys=True).encode()).hexdigest()[:8]
        recipe = replace(base, repo_id=f"{base.repo_id}-{digest}", params=merged)
        self._variants[recipe.repo_id] = recipe
        hubcache.install(self.hub_cache, recipe.repo_id, recipe.revision, recipe.build)
        return recipe.repo_id

    def status(self) -> dict[str, bool]:
        """Which catalog models are already built (for `katas doctor`)."""
        return {
            role: hubcache.cached_snapshot(self.hub_cache, r.repo_id, r.revision) is not None
            for role, r in CATALOG.items()
        }
