"""LoRA vs QLoRA vs full fine-tuning on SmolLM2: the README's comparison table. Heavy (about
12 minutes on 2 CPU cores): run it under the CPU lock.

    pytest --solutions=reference -o python_files='bench_*.py' -p no:randomly \
        reference/04_lora/bench_lora.py --benchmark-only

Each method trains on the same seeded split; the benchmark records the validation accuracy
before and after, the trainable parameters, the gradient + AdamW bytes read from the tensors
after one real training step on a batch of the training data, and the seconds per training step
(evaluation time excluded). The table is printed when the module finishes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hfkatas.data.movie_reviews import raw_records
from hfkatas.testing.models import load_causal_lm

N_TRAIN, N_VALIDATION, EPOCHS, BATCH, MAX_LENGTH, SEED = 160, 200, 3, 8, 48, 0
LEARNING_RATES = {"lora": 1e-3, "qlora": 5e-4, "full": 5e-5}


@pytest.fixture(scope="module")
def rows(pytestconfig: pytest.Config) -> Iterator[list[dict[str, Any]]]:
    """One dict per method; printed as a markdown table when the module finishes."""
    collected: list[dict[str, Any]] = []
    yield collected
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or not collected:
        return
    reporter.write_line(
        f"\n{N_TRAIN} train / {N_VALIDATION} validation reviews, {EPOCHS} epochs, batch {BATCH}, "
        f"max {MAX_LENGTH} tokens, seed {SEED}\n"
        "| method | lr | accuracy before → after | validation loss after | trainable parameters "
        "| gradient + AdamW bytes | s / training step |\n| --- | --- | --- | --- | --- | --- | --- |"
    )
    for row in collected:
        reporter.write_line(
            f"| {row['method']} | {row['lr']:g} | {row['before']:.3f} → {row['after']:.3f} "
            f"| {row['loss']:.3f} | {row['trainable']:,} | {row['bytes']:,} "
            f"| {row['seconds_per_step']:.2f} |"
        )


@pytest.mark.task("4.7")
@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("method", ["lora", "qlora", "full"])
def test_compare_methods(benchmark, kata, zoo, tmp_path, rows, method):
    from transformers import DataCollatorForSeq2Seq

    repo_id = zoo.repo_id("chat")
    data, _ = kata.build_splits(raw_records(), N_TRAIN, N_VALIDATION, seed=SEED)
    tokenizer = kata.load_tokenizer(repo_id)
    validation = data["validation"]

    def run():
        return kata.train(
            repo_id,
            data,
            tmp_path,
            method=method,
            epochs=EPOCHS,
            seed=SEED,
            learning_rate=LEARNING_RATES[method],
            batch_size=BATCH,
            max_length=MAX_LENGTH,
        )

    result = benchmark.pedantic(run, rounds=1, iterations=1)
    after = kata.evaluate(result.model, tokenizer, validation, max_length=MAX_LENGTH)
    seconds_per_step = result.seconds_per_step
    del result  # free the trained model before loading a fresh one

    model = kata.load_4bit_for_training(repo_id) if method == "qlora" else load_causal_lm(repo_id)
    before = kata.evaluate(model, tokenizer, validation, max_length=MAX_LENGTH)
    if method != "full":
        model = kata.add_lora(model, kata.find_target_modules(model))
    train = data["train"][:BATCH]
    examples = [
        kata.tokenize(tokenizer, text, label, MAX_LENGTH)
        for text, label in zip(train["text"], train["label"], strict=True)
    ]
    batch = dict(DataCollatorForSeq2Seq(tokenizer, label_pad_token_id=-100)(examples))
    row = dict(
        method=method,
        lr=LEARNING_RATES[method],
        before=before.accuracy,
        after=after.accuracy,
        loss=after.loss,
        trainable=kata.count_parameters(model)[0],
        bytes=kata.train_step_memory(model, batch),
        seconds_per_step=seconds_per_step,
    )
    benchmark.extra_info.update(row)
    rows.append(row)
