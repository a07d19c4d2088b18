"""Kata 03 benchmark: footprint, perplexity and speed of SmolLM2-135M in each precision.

    pytest --solutions=reference -o python_files='bench_*.py' -p no:randomly \
        reference/03_quantization/bench_quantization.py --benchmark-only

Each case loads the chat model in one precision, then times your `perplexity` on the held-out
text and records your `footprint_report`. The table (`quantization.md`; ratios against the first row of each device) is written to
`$KATAS_BENCH_DIR` (default `.katas/bench/03_quantization/`) when the module finishes. On a
CUDA machine the GPU cases add `peak_gpu_memory` for fp16, int8 and nf4.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from hfkatas.paths import katas_home
from hfkatas.testing.models import load_causal_lm
from hfkatas.testing.quantization import CPU_PRECISIONS, HELD_OUT_TEXT, figures_table

GPU_PRECISIONS = ("fp16", "int8", "nf4")


def _out_dir() -> Path:
    base = os.environ.get("KATAS_BENCH_DIR")
    return Path(base) if base else katas_home() / "bench" / "03_quantization"


@pytest.fixture(scope="module")
def rows() -> Iterator[list[dict[str, Any]]]:
    """One dict per measured case; written out as a markdown table at the end."""
    collected: list[dict[str, Any]] = []
    yield collected
    if collected:
        out = _out_dir()
        out.mkdir(parents=True, exist_ok=True)
        table = figures_table(collected)
        (out / "quantization.md").write_text(table + "\n")
        print(f"\n{table}\n(written to {out / 'quantization.md'})")


def _measure(
    benchmark: Any, kata: Any, load: Callable[[], Any], precision: str, device: str, tokenizer: Any
) -> dict[str, Any]:
    """Load once (timed), then benchmark `kata.perplexity` and record the footprint."""
    started = time.perf_counter()
    model = load()
    load_s = time.perf_counter() - started
    ppl = benchmark.pedantic(
        kata.perplexity, args=(model, tokenizer, HELD_OUT_TEXT), rounds=3, warmup_rounds=1
    )
    footprint = kata.footprint_report({precision: model}, baseline=precision)[precision][0]
    row = dict(
        precision=precision,
        device=device,
        footprint=footprint,
        perplexity=ppl,
        load_s=load_s,
        forward_s=benchmark.stats.stats.median,
    )
    benchmark.extra_info.update(row)
    return row


@pytest.mark.timeout(600)
@pytest.mark.parametrize("precision", CPU_PRECISIONS)
def test_cpu_precision(benchmark, kata, smollm2, rows, precision):
    load = partial(load_causal_lm, smollm2.repo_id, precision)
    rows.append(_measure(benchmark, kata, load, precision, "cpu", smollm2.tokenizer))


@pytest.mark.cuda
@pytest.mark.timeout(600)
@pytest.mark.parametrize("precision", GPU_PRECISIONS)
def test_gpu_precision(benchmark, kata, smollm2, rows, precision):
    import torch

    repo_id = smollm2.repo_id
    peak = kata.peak_gpu_memory(repo_id, precision, HELD_OUT_TEXT)
    load = partial(kata.load_on_gpu, repo_id, precision)
    row = _measure(
        benchmark, kata, load, precision, torch.cuda.get_device_name(), smollm2.tokenizer
    )
    benchmark.extra_info["peak_bytes"] = peak
    row["peak_bytes"] = peak
    rows.append(row)
