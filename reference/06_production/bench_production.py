"""Kata 06 benchmark: what batching and the KV cache do to generation, with your own code.

    pytest -o python_files='bench_*.py' -p no:randomly reference/06_production/bench_production.py --benchmark-only

Each case runs your `measure_generation` (warm-up, repeats, median) on the chat model. The table
(`generation.md`) and the chart (`tokens_per_second.png`) are written to `$KATAS_BENCH_DIR`
(default `.katas/bench/06_production/`) when the module finishes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from hfkatas.paths import katas_home
from hfkatas.testing.models import ZooModel
from hfkatas.testing.production import generation_table, plot_tokens_per_second, sentiment_lines

BATCH_SIZES = (1, 2, 4, 8)
NEW_TOKENS = 32
CHART_MODEL = "SmolLM2-135M (chat), float32"


def _out_dir() -> Path:
    base = os.environ.get("KATAS_BENCH_DIR")
    return Path(base) if base else katas_home() / "bench" / "06_production"


@pytest.fixture(scope="module")
def results() -> Iterator[list[Any]]:
    """Every case's GenerationStats with its use_cache flag; written out at the end."""
    collected: list[Any] = []
    yield collected
    if collected:
        out = _out_dir()
        out.mkdir(parents=True, exist_ok=True)
        (out / "generation.md").write_text(generation_table(collected) + "\n")
        title = f"Greedy generation, {CHART_MODEL}"
        plot_tokens_per_second(collected, out / "tokens_per_second.png", title)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("use_cache", [True, False], ids=["kv-cache", "no-cache"])
@pytest.mark.parametrize("batch_size", BATCH_SIZES)
def test_generation_throughput(
    benchmark: Any,
    kata: Any,
    smollm2: ZooModel,
    results: list[Any],
    batch_size: int,
    use_cache: bool,
) -> None:
    model, tokenizer, _ = smollm2
    prompts = [line.split("\n")[0] for line in sentiment_lines(batch_size)]
    stats = benchmark.pedantic(
        kata.measure_generation,
        args=(model, tokenizer, prompts),
        kwargs={"max_new_tokens": NEW_TOKENS, "use_cache": use_cache, "repeats": 3},
        rounds=1,
        iterations=1,
    )
    benchmark.extra_info.update(asdict(stats), use_cache=use_cache)
    results.append((use_cache, stats))
