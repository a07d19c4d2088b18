"""How fast `katas watch` re-checks a kata, against a cold `pytest` run of the same kata.

The warm worker has imported torch and transformers already and forks a fresh pytest session
per check, so the figure to read is `ratio_to_cold` in the warm benchmark's extra info.
Pick the kata with KATAS_BENCH_KATA (default 01_auto_classes, a kata without training).

    nox -s bench -- tests/bench/bench_cli.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from hfkatas.cli.runner import Worker, run_kata
from hfkatas.curriculum import Kata, find_kata
from hfkatas.paths import katas_home, repo_root

BENCH_KATA = os.environ.get("KATAS_BENCH_KATA", "01_auto_classes")
COLD: dict[str, float] = {}


@pytest.fixture(scope="module")
def kata() -> Kata:
    return find_kata(BENCH_KATA)


@pytest.fixture(scope="module")
def solutions(pytestconfig: pytest.Config) -> str:
    return pytestconfig.getoption("--solutions")


@pytest.fixture(scope="module")
def worker() -> Iterator[Worker]:
    with Worker(repo_root(), katas_home()) as started:
        yield started


def cold_pytest(kata: Kata, solutions: str) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    subprocess.run(
        [sys.executable, "-m", "pytest", str(kata.kata_dir), f"--solutions={solutions}", "-q"],
        cwd=kata.root,
        env=environment,
        capture_output=True,
        check=False,
        timeout=600,
    )


@pytest.mark.timeout(1800)
def test_cold_pytest(benchmark, kata: Kata, solutions: str) -> None:
    benchmark.group = f"re-check {kata.slug}"
    benchmark.pedantic(cold_pytest, args=(kata, solutions), rounds=3, iterations=1)
    COLD[kata.slug] = benchmark.stats.stats.median


@pytest.mark.timeout(1800)
def test_warm_recheck(benchmark, kata: Kata, solutions: str, worker: Worker) -> None:
    benchmark.group = f"re-check {kata.slug}"
    run = benchmark.pedantic(
        run_kata, args=(worker, kata), kwargs={"solutions": solutions}, rounds=5, warmup_rounds=1
    )
    assert run.result is not None, f"the warm worker could not run {kata.slug}: see {run.log}"
    warm = benchmark.stats.stats.median
    benchmark.extra_info["warm_median_s"] = round(warm, 3)
    if kata.slug in COLD:
        benchmark.extra_info["cold_median_s"] = round(COLD[kata.slug], 3)
        benchmark.extra_info["ratio_to_cold"] = round(warm / COLD[kata.slug], 3)
