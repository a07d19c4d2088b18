"""Kata 02 figures: generation throughput on SmolLM2, one prompt vs a batch of 8 (`nox -s bench`).

    pytest --solutions=reference -o python_files='bench_*.py' -p no:randomly \
        reference/02_inference/bench_inference.py --benchmark-only

Each benchmark records the generated tokens and tokens per second in `extra_info`; the summary
at the end prints the table of the README (best of 3 rounds, so a busy machine counts less),
with the batched vs sequential per-token speed-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hfkatas.testing.generation import count_new_tokens, watch_generate

NEW_TOKENS = 32
PROMPTS = [
    "Once upon a time, in a small village by the sea,",
    "The best way to learn a new language is",
    "Here is a short story about a robot who wanted to paint:",
    "The history of the bicycle begins",
    "Write a long letter to a friend about your summer holidays.",
    "In the middle of the forest there was",
    "Three reasons why people enjoy cooking at home are",
    "The old lighthouse keeper looked at the storm and",
]
RESULTS: dict[str, float] = {}


@pytest.fixture(scope="module", autouse=True)
def _summary(pytestconfig: pytest.Config) -> Any:
    yield
    lines = ["", "| setting | tokens/s |", "| --- | --- |"]
    lines += [f"| {name} | {value:.1f} |" for name, value in RESULTS.items()]
    if {"batch 8", "sequential 8"} <= RESULTS.keys():
        ratio = RESULTS["batch 8"] / RESULTS["sequential 8"]
        lines.append(f"| batched vs sequential (per token) | {ratio:.1f}x |")
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n".join(lines))


def _measure(benchmark: Any, model: Any, tokenizer: Any, name: str, run: Callable[[], Any]) -> None:
    """Benchmark `run` and record its generated tokens per second under `name`."""
    with watch_generate(model) as calls:
        benchmark.pedantic(run, rounds=3, warmup_rounds=1, iterations=1)
    per_round = len(calls) // 4
    tokens = sum(count_new_tokens(call, tokenizer.pad_token_id) for call in calls[-per_round:])
    RESULTS[name] = tokens / benchmark.stats.stats.min
    benchmark.extra_info.update(new_tokens=tokens, tokens_per_s=round(RESULTS[name], 1))


@pytest.mark.timeout(600)
def test_batch_1(benchmark, kata, smollm2):
    model, tokenizer, _ = smollm2
    _measure(
        benchmark,
        model,
        tokenizer,
        "batch 1",
        lambda: kata.generate_greedy(model, tokenizer, PROMPTS[0], max_new_tokens=NEW_TOKENS),
    )


@pytest.mark.timeout(600)
def test_batch_8(benchmark, kata, smollm2):
    model, tokenizer, _ = smollm2
    _measure(
        benchmark,
        model,
        tokenizer,
        "batch 8",
        lambda: kata.generate_batch(model, tokenizer, PROMPTS, max_new_tokens=NEW_TOKENS),
    )


@pytest.mark.timeout(600)
def test_sequential_8(benchmark, kata, smollm2):
    model, tokenizer, _ = smollm2
    _measure(
        benchmark,
        model,
        tokenizer,
        "sequential 8",
        lambda: [
            kata.generate_greedy(model, tokenizer, prompt, max_new_tokens=NEW_TOKENS)
            for prompt in PROMPTS
        ],
    )
