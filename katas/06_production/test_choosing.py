"""Tasks 6.1–6.3: estimate memory from a config, then pick a model for a budget."""

from __future__ import annotations

import random
from typing import Any

import pytest
import torch
from transformers import AutoConfig, AutoModelForCausalLM

from hfkatas.testing.models import load_causal_lm
from hfkatas.testing.production import kv_cache_nbytes

TOLERANCE = 0.03  # an estimate within 3 % of what loading really takes
PRECISIONS = {"float32": "fp32", "bfloat16": "bf16", "int8": "int8", "nf4": "nf4"}
FLOAT_BYTES = {"float32": 4, "bfloat16": 2}


def _load(repo_id: str, precision: str) -> Any:
    return load_causal_lm(repo_id, PRECISIONS[precision])


WEIGHT_CASES = [
    ("medium", "float32"),
    ("large", "bfloat16"),
    ("large", "int8"),
    ("tied", "float32"),
    ("chat", "float32"),
    ("chat", "bfloat16"),
    ("chat", "nf4"),
]


@pytest.mark.task("6.1")
@pytest.mark.timeout(120)
@pytest.mark.parametrize(("model", "precision"), WEIGHT_CASES)
def test_weight_estimate_matches_the_loaded_footprint(
    kata: Any, zoo: Any, sized_models: dict[str, str], model: str, precision: str, show: Any
) -> None:
    if model == "chat":
        repo_id = zoo.repo_id("chat")
    elif model == "tied":
        repo_id = zoo.variant("tiny-causal", tie_word_embeddings=True, num_hidden_layers=3)
    else:
        repo_id = sized_models[model]
    config = AutoConfig.from_pretrained(repo_id)
    estimate = kata.estimate_weight_bytes(config, precision)
    actual = _load(repo_id, precision).get_memory_footprint()
    assert isinstance(estimate, int), (
        f"estimate_weight_bytes returned {type(estimate).__name__}: return a whole number of bytes"
    )
    if config.tie_word_embeddings:
        output_bytes = config.vocab_size * config.hidden_size * FLOAT_BYTES.get(precision, 4)
        assert abs(estimate - output_bytes - actual) > TOLERANCE * actual, (
            f"{repo_id} at {precision}: you estimate {estimate:,} bytes, loading takes {actual:,}: "
            "the difference is the output embeddings (lm_head). With tie_word_embeddings they "
            "are the input embeddings, stored once: count them once (note that accelerate's "
            "init_empty_weights leaves them untied, a model built under torch.device('meta') "
            "ties them)"
        )
    assert abs(estimate - actual) <= TOLERANCE * actual, (
        f"{repo_id} at {precision}: you estimate {estimate:,} bytes but loading it takes "
        f"{actual:,} (get_memory_footprint). Count every parameter once (tied embeddings are "
        "shared) and price quantized Linear layers at their own size, the rest at 4 bytes"
    )
    if model == "chat":
        show(
            f"SmolLM2 in {precision}",
            f"{estimate / 2**20:.1f} MiB estimated, {actual / 2**20:.1f} MiB loaded",
        )


@pytest.mark.task("6.1")
@pytest.mark.timeout(30)
def test_unknown_precision_is_refused(
    kata: Any, sized_models: dict[str, str], expect_error: Any
) -> None:
    config = AutoConfig.from_pretrained(sized_models["small"])
    error = expect_error(
        ValueError,
        lambda: kata.estimate_weight_bytes(config, "fp8"),
        "check the precision first and raise a ValueError naming it and the known ones",
    )
    assert "fp8" in str(error), f"the ValueError says {str(error)!r}: name the precision 'fp8'"


@pytest.mark.task("6.2")
@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("model", "batch_size", "seq_len"), [("small", 3, 17), ("large", 2, 40), ("own-head-dim", 2, 9)]
)
def test_kv_cache_estimate_equals_the_real_cache(
    kata: Any, zoo: Any, sized_models: dict[str, str], model: str, batch_size: int, seq_len: int
) -> None:
    if model == "own-head-dim":  # as Qwen3 or Gemma: head_dim is not hidden_size // heads
        repo_id = zoo.variant(
            "tiny-causal", hidden_size=64, num_attention_heads=4, num_key_value_heads=2, head_dim=24
        )
    else:
        repo_id = sized_models[model]
    loaded = load_causal_lm(repo_id)
    tokens = torch.randint(3, loaded.config.vocab_size, (batch_size, seq_len))
    with torch.no_grad():
        cache = loaded(input_ids=tokens, use_cache=True).past_key_values
    actual = kv_cache_nbytes(cache)
    estimate = kata.estimate_kv_cache_bytes(
        loaded.config, batch_size=batch_size, seq_len=seq_len, dtype="float32"
    )
    assert estimate == actual, (
        f"{repo_id}, batch {batch_size} × {seq_len} tokens: you estimate {estimate:,} bytes of "
        f"KV cache but the real cache holds {actual:,}. Count keys AND values for every layer, "
        "with num_key_value_heads (not num_attention_heads) × head_dim per token (the "
        "config's own head_dim when it sets one, else hidden_size // num_attention_heads)"
    )
    half = kata.estimate_kv_cache_bytes(
        loaded.config, batch_size=batch_size, seq_len=seq_len, dtype="bfloat16"
    )
    assert half * 2 == estimate, "a bfloat16 cache takes half the bytes of a float32 one"


@pytest.mark.task("6.2")
@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("precision", "cache_dtype"), [("bfloat16", "bfloat16"), ("nf4", "float32")]
)
def test_memory_estimate_adds_weights_and_cache(
    kata: Any, sized_models: dict[str, str], precision: str, cache_dtype: str, expect_error: Any
) -> None:
    config = AutoConfig.from_pretrained(sized_models["medium"])
    total = kata.estimate_memory_bytes(config, precision, batch_size=4, seq_len=96)
    parts = kata.estimate_weight_bytes(config, precision) + kata.estimate_kv_cache_bytes(
        config, batch_size=4, seq_len=96, dtype=cache_dtype
    )
    assert total == parts, (
        f"estimate_memory_bytes at {precision} should be the weights plus a {cache_dtype} KV "
        f"cache ({parts:,} bytes), got {total:,}"
    )
    error = expect_error(
        ValueError,
        lambda: kata.estimate_kv_cache_bytes(config, batch_size=1, seq_len=8, dtype="int8"),
        "the KV cache is kept in a float dtype: refuse dtype='int8' with a ValueError naming it",
    )
    assert "int8" in str(error), f"the ValueError says {str(error)!r}: name the dtype 'int8'"


def _need(repo_id: str, bytes_per_param: int) -> int:
    """What a model really takes in memory at a float precision (its loaded parameters)."""
    model = load_causal_lm(repo_id)
    return model.num_parameters() * bytes_per_param


@pytest.fixture(scope="module")
def needs(sized_models: dict[str, str]) -> dict[tuple[str, str], int]:
    return {
        (name, precision): _need(repo_id, size)
        for name, repo_id in sized_models.items()
        for precision, size in (("float32", 4), ("bfloat16", 2))
    }


ANCHORS = [
    (name, precision)
    for name in ("large", "medium", "small")
    for precision in ("float32", "bfloat16")
]
HEADROOM = 1.15  # each budget is 15 % above what one option needs, below every bigger option


@pytest.mark.task("6.3")
@pytest.mark.timeout(60)
@pytest.mark.parametrize("expected", ANCHORS)
def test_the_largest_model_that_fits_is_chosen(
    kata: Any,
    sized_models: dict[str, str],
    needs: dict[tuple[str, str], int],
    expected: tuple[str, str],
) -> None:
    budget = int(needs[expected] * HEADROOM)
    candidates = list(sized_models.values())
    random.Random(len(candidates)).shuffle(candidates)
    choice = kata.choose_model(
        candidates,
        memory_budget_bytes=budget,
        precisions=("bfloat16", "float32"),
        batch_size=1,
        seq_len=8,
    )
    want = (sized_models[expected[0]], expected[1])
    assert (choice.repo_id, choice.precision) == want, (
        f"with {budget:,} bytes the best fit is the {expected[0]} model at {expected[1]}, "
        f"you chose {choice.repo_id} at {choice.precision}: prefer the model with the most "
        "parameters that fits, then the most precise precision that fits"
    )
    assert 0 < choice.estimated_bytes <= budget, (
        f"the choice says it needs {choice.estimated_bytes:,} bytes, which must be within the "
        f"budget of {budget:,}"
    )


LARGER = dict(hidden_size=224, intermediate_size=448, num_attention_heads=7, num_key_value_heads=7)


@pytest.mark.task("6.3")
@pytest.mark.timeout(60)
def test_more_parameters_beat_more_precision(
    kata: Any, zoo: Any, sized_models: dict[str, str]
) -> None:
    # a model with about 1.4 times the large one's parameters: at bfloat16 it takes fewer bytes
    # than the large one at float32, so "most parameters" and "most bytes" disagree
    larger = zoo.variant("tiny-causal", **LARGER)
    large = sized_models["large"]
    need = {
        (repo, precision): _need(repo, size)
        for repo in (larger, large)
        for precision, size in (("float32", 4), ("bfloat16", 2))
    }
    budget = int(max(need[(large, "float32")], need[(larger, "bfloat16")]) * 1.1)
    assert (
        need[(large, "float32")] > need[(larger, "bfloat16")] and budget < need[(larger, "float32")]
    ), "test set-up: both the larger model at bfloat16 and the large one at float32 must fit"
    for candidates in ([large, larger], [larger, large]):
        choice = kata.choose_model(
            candidates,
            memory_budget_bytes=budget,
            precisions=("float32", "bfloat16"),
            seq_len=8,
        )
        assert (choice.repo_id, choice.precision) == (larger, "bfloat16"), (
            f"with {budget:,} bytes both the larger model at bfloat16 ({need[(larger, 'bfloat16')]:,}"
            f" bytes) and the large one at float32 ({need[(large, 'float32')]:,}) fit; you chose "
            f"{choice.repo_id} at {choice.precision}. Prefer the model with the most parameters "
            "that fits (not the option that uses the most bytes), then its most precise precision"
        )


def _kv_bytes_per_token(repo_id: str) -> int:
    """What one token of one sequence adds to the real float32 KV cache of a model."""
    model = load_causal_lm(repo_id)
    with torch.no_grad():
        cache = model(input_ids=torch.tensor([[3, 4, 5, 6]]), use_cache=True).past_key_values
    return kv_cache_nbytes(cache) // 4


@pytest.mark.task("6.3")
@pytest.mark.timeout(60)
def test_the_kv_cache_counts_against_the_budget(
    kata: Any, sized_models: dict[str, str], needs: dict[tuple[str, str], int]
) -> None:
    repo_id, batch_size, seq_len = sized_models["small"], 8, 128
    cache_fp32 = _kv_bytes_per_token(repo_id) * batch_size * seq_len
    # float32 weights fit, but not with a float32 cache; bfloat16 weights and cache do.
    budget = needs[("small", "float32")] + cache_fp32 // 2
    choice = kata.choose_model(
        [repo_id],
        memory_budget_bytes=budget,
        precisions=("float32", "bfloat16"),
        batch_size=batch_size,
        seq_len=seq_len,
    )
    assert choice.precision == "bfloat16", (
        f"with {budget:,} bytes the float32 weights fit, but a batch of {batch_size} × "
        f"{seq_len} tokens adds a float32 KV cache of {cache_fp32:,} bytes: count the cache "
        "(estimate_memory_bytes with batch_size and seq_len), so only bfloat16 fits"
    )


@pytest.mark.task("6.3")
@pytest.mark.timeout(60)
def test_an_impossible_budget_names_what_would_fit(
    kata: Any, sized_models: dict[str, str], needs: dict[tuple[str, str], int], expect_error: Any
) -> None:
    budget = needs[("small", "bfloat16")] // 2
    error = expect_error(
        ValueError,
        lambda: kata.choose_model(
            list(sized_models.values()),
            memory_budget_bytes=budget,
            precisions=("float32", "bfloat16"),
            seq_len=8,
        ),
        "when no (model, precision) fits the budget, raise a ValueError",
    )
    message = str(error)
    assert sized_models["small"] in message and "bfloat16" in message, (
        f"when nothing fits, name the smallest option (the small model at bfloat16) and what it "
        f"needs, so the caller knows what budget would work; your message: {message!r}"
    )


@pytest.mark.task("6.3")
@pytest.mark.timeout(60)
def test_a_latency_budget_leaves_slow_models_out(kata: Any, sized_models: dict[str, str]) -> None:
    latency = {sized_models["large"]: 2.0, sized_models["medium"]: 0.4, sized_models["small"]: 0.1}
    choice = kata.choose_model(
        list(sized_models.values()),
        memory_budget_bytes=10**9,
        latency_s=latency,
        max_latency_s=1.0,
    )
    assert choice.repo_id == sized_models["medium"], (
        "the large model takes 2 s against a 1 s latency budget: leave it out and pick the "
        f"largest of the rest (the medium model), not {choice.repo_id}"
    )
    assert choice.precision == "float32", (
        f"with memory to spare, keep full precision (float32), not {choice.precision}"
    )


@pytest.mark.task("6.2")
@pytest.mark.cuda
@pytest.mark.timeout(120)
def test_memory_estimate_matches_what_cuda_allocates(kata: Any, zoo: Any) -> None:
    repo_id = zoo.repo_id("chat")
    torch.cuda.empty_cache()
    before = torch.cuda.memory_allocated()
    model = AutoModelForCausalLM.from_pretrained(repo_id, dtype=torch.bfloat16).to("cuda").eval()
    tokens = torch.randint(3, model.config.vocab_size, (4, 256), device="cuda")
    torch.cuda.reset_peak_memory_stats()
    with torch.no_grad():
        output = model(input_ids=tokens, use_cache=True, logits_to_keep=1)
    held = torch.cuda.memory_allocated() - before  # weights + KV cache (+ one logit row)
    peak = torch.cuda.max_memory_allocated() - before
    estimate = kata.estimate_memory_bytes(model.config, "bfloat16", batch_size=4, seq_len=256)
    assert abs(estimate - held) <= TOLERANCE * held and estimate <= peak, (
        f"{repo_id} in bfloat16 with a 4 × 256 KV cache holds {held:,} bytes on the GPU (peak "
        f"{peak:,} with activations), you estimate {estimate:,}: weights plus the cache, both in "
        "bfloat16"
    )
    del output
