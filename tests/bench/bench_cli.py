"""How fast the learner's loop is: a warm worker's verdict on the task at hand and its full
check of a kata, against a cold `pytest` run of the same kata.

`katas watch` keeps a worker that has imported torch and transformers and forks a fresh pytest
session per check; after a save it runs the task at hand's tests first. So the figures to read:
- `task verdict`: one task's tests in the warm worker, every task of the kata in turn (median =
  a typical task, max = the slowest); `ratio_to_cold` in its extra info;
- `warm check`: every test of the kata in the warm worker (`katas check` while watch runs);
- `cold pytest`: `pytest katas/NN_topic`, what a check without a warm worker costs.

Pick katas with KATAS_BENCH_KATAS (default `01_auto_classes,02_inference,03_quantization`) and
rounds with KATAS_BENCH_ROUNDS (cold,warm; default `3,5`).

    nox -s bench -- tests/bench/bench_cli.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from hfkatas.cli.worker.client import CheckRun, Worker, run_kata
from hfkatas.course.curriculum import Kata, find_kata
from hfkatas.paths import katas_home, repo_root

BENCH_KATAS = os.environ.get("KATAS_BENCH_KATAS", "01_auto_classes,02_inference,03_quantization")
COLD_ROUNDS, WARM_ROUNDS = (int(n) for n in os.environ.get("KATAS_BENCH_ROUNDS", "3,5").split(","))
COLD: dict[str, float] = {}


@pytest.fixture(scope="module", params=BENCH_KATAS.split(","))
def kata(request: pytest.FixtureRequest) -> Kata:
    return find_kata(request.param)


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
        [sys.executable, "-m", "pytest", str(kata.folder), f"--solutions={solutions}", "-q"],
        cwd=kata.root,
        env=environment,
        capture_output=True,
        check=False,
        timeout=600,
    )


def _against_cold(benchmark, kata: Kata) -> None:  # type: ignore[no-untyped-def]
    stats = benchmark.stats.stats
    benchmark.extra_info["median_s"] = round(stats.median, 3)
    benchmark.extra_info["max_s"] = round(stats.max, 3)
    if kata.slug in COLD:
        benchmark.extra_info["cold_median_s"] = round(COLD[kata.slug], 3)
        benchmark.extra_info["ratio_to_cold"] = round(stats.median / COLD[kata.slug], 3)


@pytest.mark.timeout(1800)
def test_cold_pytest(benchmark, kata: Kata, solutions: str) -> None:
    benchmark.group = f"learner's loop {kata.slug}"
    benchmark.pedantic(cold_pytest, args=(kata, solutions), rounds=COLD_ROUNDS, iterations=1)
    COLD[kata.slug] = benchmark.stats.stats.median


@pytest.mark.timeout(1800)
def test_warm_check(benchmark, kata: Kata, solutions: str, worker: Worker) -> None:
    benchmark.group = f"learner's loop {kata.slug}"
    run = benchmark.pedantic(
        run_kata,
        args=(worker, kata),
        kwargs={"solutions": solutions},
        rounds=WARM_ROUNDS,
        warmup_rounds=1,
    )
    assert run.result is not None, f"the warm worker could not run {kata.slug}: see {run.log}"
    _against_cold(benchmark, kata)


@pytest.mark.timeout(1800)
def test_task_verdict(benchmark, kata: Kata, solutions: str, worker: Worker) -> None:
    benchmark.group = f"learner's loop {kata.slug}"
    run_kata(worker, kata, solutions=solutions)  # warm-up: the zoo models in the page cache
    tasks = iter(task.id for task in kata.tasks)
    runs: dict[str, CheckRun] = {}

    seconds: dict[str, float] = {}

    def one_task(task_id: str) -> None:
        started = time.perf_counter()
        runs[task_id] = run_kata(worker, kata, solutions=solutions, only=[task_id])
        seconds[task_id] = round(time.perf_counter() - started, 3)

    benchmark.pedantic(
        one_task, setup=lambda: ((next(tasks),), {}), rounds=len(kata.tasks), iterations=1
    )
    broken = [task for task, run in runs.items() if run.result is None]
    assert not broken, f"the warm worker could not run tasks {broken} of {kata.slug}"
    _against_cold(benchmark, kata)
    benchmark.extra_info["per_task_s"] = seconds
