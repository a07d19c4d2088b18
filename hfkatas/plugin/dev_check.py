"""`pytest --dev-check`: every test must fail on the stub, every shipped mistake must be caught
with the message that names it, and every shipped correct alternative must pass.

The plugin parametrizes each kata test that uses the `kata` / `kata_dir` fixtures over the
variants that concern its task (`stub`, `mistake-…`, `alternative-…`), records what each run
reported, and appends one verdict item per mistake or alternative at the end of the session.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pytest

from hfkatas.course.curriculum import Kata, kata_for_path
from hfkatas.course.variants import (
    ALTERNATIVE,
    Variant,
    load_variants,
    materialize,
    mistake_caught,
    variants_path,
)
from hfkatas.plugin.solutions import load_solution

STUB = "stub"
SELECTIONS = (STUB, "mistakes", "alternatives")
VARIANT_FIXTURE = "kata_variant"


def parse_selection(text: str) -> frozenset[str]:
    """`--variants=stubs,mistakes`: which kinds of dev-check runs to make."""
    chosen = {part.strip().rstrip("s") for part in text.split(",") if part.strip()}
    valid = {kind.rstrip("s") for kind in SELECTIONS}
    if unknown := chosen - valid:
        raise pytest.UsageError(
            f"--variants takes a comma-separated list of {', '.join(SELECTIONS)}; "
            f"got {', '.join(sorted(unknown))}"
        )
    return frozenset(chosen)


@dataclass
class Run:
    """What one test reported for one variant."""

    nodeid: str
    failed: bool
    message: str


@dataclass
class VariantRuns:
    """The session's variants, their edited copies and what their tests reported."""

    selection: frozenset[str]
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="hfkatas-dev-")))
    _by_kata: dict[str, list[Variant]] = field(default_factory=dict)
    _copies: dict[tuple[str, str], Path] = field(default_factory=dict)
    runs: dict[tuple[str, str], dict[str, Run]] = field(default_factory=dict)

    def for_test(self, kata: Kata, task_id: str, test_name: str) -> list[object]:
        """The parameters test function `test_name` of `task_id` runs with: the stub, then the
        variants it concerns."""
        params: list[object] = [STUB] if STUB in self.selection else []
        if kata.slug not in self._by_kata:
            self._by_kata[kata.slug] = load_variants(kata)
        params += [
            variant
            for variant in self._by_kata[kata.slug]
            if variant.kind in self.selection and variant.runs_with(task_id, test_name)
        ]
        return params

    def folder_of(self, variant: Variant, kata: Kata) -> Path:
        """The edited copy of the reference for `variant` (written once per session)."""
        key = (kata.slug, variant.key)
        if key not in self._copies:
            self._copies[key] = materialize(variant, kata, self.folder / kata.slug)
        return self._copies[key]

    def module(self, variant: Variant, kata: Kata) -> ModuleType:
        return load_solution(kata, "reference", self.folder_of(variant, kata), variant.key)

    def record(self, variant: Variant, nodeid: str, failed: bool, message: str) -> None:
        """Keep each test's first failure (setup, call or teardown) for the variant."""
        runs = self.runs.setdefault((variant.kata, variant.key), {})
        if nodeid not in runs or (failed and not runs[nodeid].failed):
            runs[nodeid] = Run(nodeid, failed, message)

    def verdict(self, variant: Variant) -> tuple[bool, str]:
        """Whether the variant got the verdict it must, and the line that says so."""
        runs = list(self.runs.get((variant.kata, variant.key), {}).values())
        tasks = ", ".join(variant.tasks)
        if not runs:
            return False, f"{variant.label}: no test of task {tasks} ran"
        failures = [run for run in runs if run.failed]
        if variant.kind == ALTERNATIVE:
            if not failures:
                return True, f"{variant.label}: passes all {len(runs)} tests of task {tasks}"
            shown = "\n".join(f"  {run.nodeid}: {run.message}" for run in failures)
            return False, (
                f"{variant.label} ({variant.learner}) is correct but rejected by "
                f"{len(failures)} test(s):\n{shown}"
            )
        caught = [run for run in failures if mistake_caught(variant, [run.message])]
        if caught:
            names = ", ".join(run.nodeid.split("::", 1)[-1] for run in caught)
            return True, f"{variant.label}: caught by {names}"
        if not failures:
            return False, (
                f"{variant.label} ({variant.learner}) passes every test of task {tasks}: "
                "strengthen a test so it fails and names the mistake"
            )
        shown = "\n".join(f"  {run.nodeid}: {run.message}" for run in failures)
        return False, (
            f"{variant.label} ({variant.learner}) fails, but no message matches "
            f"/{variant.message}/ (what the learner must read):\n{shown}"
        )

    def cleanup(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class VariantVerdict(pytest.Item):
    """One mistake's or alternative's verdict, checked after all of its tests ran."""

    def __init__(self, *, variant: Variant, runs: VariantRuns, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.variant = variant
        self.variant_runs = runs

    def runtest(self) -> None:
        ok, line = self.variant_runs.verdict(self.variant)
        if not ok:
            raise VariantFailed(line)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> str:  # type: ignore[override]
        return str(excinfo.value)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.variant.kata} {self.variant.key}"


class VariantFailed(Exception):
    """A mistake that slips through, or a correct alternative that is rejected."""


class VariantsFile(pytest.File):
    """`reference/NN_topic/variants.toml` as the parent of its verdict items."""

    def collect(self) -> list[pytest.Item]:
        return []


def verdict_items(
    session: pytest.Session, items: list[pytest.Item], runs: VariantRuns
) -> list[pytest.Item]:
    """One verdict item per variant that has at least one selected test, in first-seen order."""
    seen: dict[tuple[str, str], tuple[Variant, Path]] = {}
    for item in items:
        variant = variant_of(item)
        if isinstance(variant, Variant) and (found := kata_for_path(Path(str(item.path)))):
            seen.setdefault((variant.kata, variant.key), (variant, variants_path(found)))
    files: dict[Path, VariantsFile] = {}
    verdicts = []
    for variant, path in seen.values():
        if path not in files:
            files[path] = VariantsFile.from_parent(session, path=path)
        verdicts.append(
            VariantVerdict.from_parent(files[path], name=variant.key, variant=variant, runs=runs)
        )
    return verdicts


def variant_of(item: pytest.Item) -> object:
    """The dev-check parameter a test item runs with (`stub`, a Variant), or None."""
    callspec = getattr(item, "callspec", None)
    return callspec.params.get(VARIANT_FIXTURE) if callspec else None


def variant_id(param: object) -> str:
    return param.key if isinstance(param, Variant) else str(param)


def summary_lines(runs: VariantRuns, variants: list[Variant]) -> list[str]:
    """One line per variant for the terminal summary (✓ / ✗ and what caught it)."""
    lines = []
    for variant in variants:
        ok, line = runs.verdict(variant)
        lines.append(f"{'✓' if ok else '✗'} {line.splitlines()[0]}")
    return lines
