"""LoRA vs full fine-tuning vs QLoRA on SmolLM2: validation accuracy, trainable parameters,
gradient + optimizer bytes, seconds per step (the README table). Heavy: run under the CPU lock.

    pytest --solutions=reference -o python_files='bench_*.py' -p no:randomly \
        katas/04_lora/bench_lora.py --benchmark-only
"""

from __future__ import annotations

import pytest

N_TRAIN, N_VALIDATION, MAX_LENGTH = 160, 200, 48


@pytest.mark.task("4.7")
@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("method", ["lora", "qlora", "full"])
def test_compare_methods(benchmark, kata, zoo, chat_tokenizer, load_causal, tmp_path, method):
    repo_id = zoo.repo_id("chat")
    data, _ = kata.build_splits(kata_records(), N_TRAIN, N_VALIDATION, seed=0)
    tokenizer = kata.load_tokenizer(repo_id)
    lr = 1e-3 if method != "full" else 5e-5

    def run():
        return kata.train(
            repo_id, data, tmp_path, method=method, seed=0, learning_rate=lr, max_length=MAX_LENGTH
        )

    result = benchmark.pedantic(run, rounds=1, iterations=1)
    after = kata.evaluate(result.model, tokenizer, data["validation"], max_length=MAX_LENGTH)
    model = kata.load_4bit_for_training(repo_id) if method == "qlora" else load_causal(repo_id)
    if method != "full":
        model = kata.add_lora(model, kata.find_target_modules(model))
    batch = tokenizer(data["train"]["text"][:8], return_tensors="pt", padding=True)
    batch["labels"] = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
    benchmark.extra_info.update(
        method=method,
        accuracy=after.accuracy,
        trainable=kata.count_parameters(model)[0],
        grad_optimizer_bytes=kata.train_step_memory(model, dict(batch)),
        seconds_per_step=result.seconds_per_step,
    )


def kata_records():
    from hfkatas.data.movie_reviews import raw_records

    return raw_records()
