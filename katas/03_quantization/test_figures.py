"""Tasks 3.5–3.9 on SmolLM2-135M: footprint, perplexity, a memory budget, and generation."""

from __future__ import annotations

import math
import random

import pytest
import torch
from transformers import AutoTokenizer

from hfkatas.testing.generation import greedy_continuation
from hfkatas.testing.models import load_causal_lm
from hfkatas.testing.quantization import HELD_OUT_TEXT, estimated_footprint
from hfkatas.testing.stand_in import check_inputs_on_the_model

# Bits per quantized weight, and bytes per weight kept in full precision, for each precision.
STORAGE = {"fp32": (32, 4), "bf16": (16, 2), "int8": (8, 4), "nf4": (4, 4)}


# ------------------------------------------------------------------ 3.5 footprint


@pytest.mark.task("3.5")
@pytest.mark.timeout(300)
def test_footprint_report_gives_bytes_and_ratios(kata, chat_models, chat_footprints, show):
    report = kata.footprint_report(chat_models)
    assert set(report) == set(chat_models), (
        f"the report should have one entry per model {sorted(chat_models)}, got {sorted(report)}"
    )
    for name, (size, ratio) in report.items():
        assert size == pytest.approx(chat_footprints[name], rel=0.01), (
            f"{name}: reported {size} bytes, but get_memory_footprint() says "
            f"{chat_footprints[name]}: measure each model itself"
        )
        assert ratio == pytest.approx(size / report["fp32"][0], rel=1e-6), (
            f"{name}: the ratio should be its footprint divided by the fp32 footprint"
        )
    show("footprint", " · ".join(f"{n} {s / 2**20:.0f} MiB" for n, (s, _) in report.items()))
    show("against fp32", " · ".join(f"{n} {ratio:.2f}×" for n, (_, ratio) in report.items()))


@pytest.mark.task("3.5")
@pytest.mark.timeout(300)
def test_footprints_follow_from_the_parameter_counts(kata, chat_models):
    report = kata.footprint_report(chat_models)
    fp32_bytes = report["fp32"][0]
    for name, (bits, kept_bytes) in STORAGE.items():
        expected = estimated_footprint(chat_models["fp32"], bits, kept_bytes) / fp32_bytes
        assert expected * 0.99 <= report[name][1] <= expected * 1.01, (
            f"{name}: footprint ratio {report[name][1]:.3f}, but storing the linear layers' "
            f"weights in {bits} bits and everything else in {kept_bytes} bytes gives "
            f"{expected:.3f}: report get_memory_footprint() of each model against fp32"
        )


@pytest.mark.task("3.5")
@pytest.mark.timeout(300)
def test_footprint_report_against_another_baseline(kata, chat_models, chat_footprints):
    models = {name: chat_models[name] for name in ("bf16", "nf4")}
    report = kata.footprint_report(models, baseline="bf16")
    assert report["bf16"][1] == pytest.approx(1.0), "the baseline's own ratio should be 1.0"
    expected = chat_footprints["nf4"] / chat_footprints["bf16"]
    assert report["nf4"][1] == pytest.approx(expected, rel=0.01), (
        f"nf4 against bf16 should be {expected:.3f}, got {report['nf4'][1]:.3f}: divide by the "
        "footprint of the model named by `baseline`"
    )


@pytest.mark.task("3.5")
@pytest.mark.timeout(300)
def test_footprint_report_unknown_baseline(kata, chat_models, expect_error):
    models = {name: chat_models[name] for name in ("int8", "nf4")}
    expect_error(
        ValueError,
        lambda: kata.footprint_report(models, baseline="fp32"),
        "the baseline 'fp32' is not among the models, yet no error was raised",
        mentions=("fp32",),
    )


# ------------------------------------------------------------------ 3.6–3.7 perplexity


def _perplexity_by_hand(model: torch.nn.Module, input_ids: torch.Tensor) -> float:
    with torch.no_grad():
        logits = model(input_ids=input_ids).logits[0, :-1].float()
    return math.exp(torch.nn.functional.cross_entropy(logits, input_ids[0, 1:]).item())


@pytest.mark.task("3.6")
@pytest.mark.timeout(60)
@pytest.mark.parametrize("text", [HELD_OUT_TEXT[:200], HELD_OUT_TEXT[400:1000]])
def test_perplexity_is_exp_of_the_mean_next_token_loss(kata, tiny, text):
    model, tokenizer = load_causal_lm(tiny, "fp32"), AutoTokenizer.from_pretrained(tiny)
    expected = _perplexity_by_hand(model, tokenizer(text, return_tensors="pt")["input_ids"])
    got = kata.perplexity(model, tokenizer, text)
    assert isinstance(got, float), f"return a plain float, not {type(got).__name__}"
    assert got == pytest.approx(expected, rel=1e-4), (
        f"perplexity {got:.4f}, expected {expected:.4f}: exp of the mean cross-entropy of each "
        "token given the ones before it (pass labels=input_ids and take exp(loss))"
    )


@pytest.mark.task("3.6")
@pytest.mark.timeout(60)
def test_perplexity_moves_inputs_to_the_models_device(kata, stand_in_llama):
    model, tokenizer, _ = stand_in_llama
    check_inputs_on_the_model(
        lambda: kata.perplexity(model, tokenizer, HELD_OUT_TEXT[:200]), "perplexity"
    )


@pytest.mark.task("3.6")
@pytest.mark.timeout(60)
@pytest.mark.parametrize("text", ["", "h"], ids=["empty", "one-token"])
def test_perplexity_needs_two_tokens(kata, tiny, text, expect_error):
    model, tokenizer = load_causal_lm(tiny, "fp32"), AutoTokenizer.from_pretrained(tiny)
    expect_error(
        ValueError,
        lambda: kata.perplexity(model, tokenizer, text),
        f"a text of {len(tokenizer(text)['input_ids'])} token(s) has nothing to predict",
        mentions=("token",),
    )


@pytest.mark.task("3.7")
@pytest.mark.timeout(300)
def test_quality_report_orders_precisions(kata, chat_models, smollm2, chat_perplexities, show):
    report = kata.quality_report(chat_models, smollm2.tokenizer, HELD_OUT_TEXT)
    assert set(report) == set(chat_models), "the report should have one entry per model"
    base = chat_perplexities["fp32"]
    for name, (ppl, increase) in report.items():
        assert ppl == pytest.approx(chat_perplexities[name], rel=1e-3), (
            f"{name}: perplexity {ppl:.3f}, expected {chat_perplexities[name]:.3f}: use "
            "perplexity() from task 3.6 on each model"
        )
        assert increase == pytest.approx(ppl / base - 1, abs=1e-6), (
            f"{name}: the relative increase should be ppl / fp32_ppl - 1 = {ppl / base - 1:.4f}, "
            f"got {increase:.4f}"
        )
    int8, nf4 = report["int8"][1], report["nf4"][1]
    assert 0 <= int8 < nf4, (
        f"expected fp32 ≤ int8 < nf4 in perplexity, got increases int8 {int8:+.3f}, "
        f"nf4 {nf4:+.3f}: check the models are used under the names you were given"
    )
    assert int8 < 0.10 and nf4 < 0.40 and abs(report["bf16"][1]) < 0.02, (
        "SmolLM2 loses at most a few percent in 8 bits and bf16 and well under 40 % in NF4: "
        "check the perplexity is computed on the whole text"
    )
    show("perplexity", " · ".join(f"{n} {p:.2f}" for n, (p, _) in report.items()))
    show("against fp32", " · ".join(f"{n} {up:+.1%}" for n, (_, up) in report.items()))


@pytest.mark.task("3.7")
@pytest.mark.timeout(300)
def test_quality_report_against_another_baseline(
    kata, chat_models, smollm2, chat_perplexities, expect_error
):
    models = {name: chat_models[name] for name in ("int8", "nf4")}
    report = kata.quality_report(models, smollm2.tokenizer, HELD_OUT_TEXT, baseline="int8")
    expected = chat_perplexities["nf4"] / chat_perplexities["int8"] - 1
    assert report["int8"][1] == pytest.approx(0.0, abs=1e-9), "the baseline's increase is 0.0"
    assert report["nf4"][1] == pytest.approx(expected, rel=1e-3), (
        f"nf4 against int8 should be {expected:+.4f}, got {report['nf4'][1]:+.4f}: compare "
        "with the model named by `baseline`"
    )
    expect_error(
        ValueError,
        lambda: kata.quality_report(models, smollm2.tokenizer, HELD_OUT_TEXT, baseline="fp32"),
        "the baseline 'fp32' is not among the models, yet no error was raised",
        mentions=("fp32",),
    )


# ------------------------------------------------------------------ 3.8 memory budget


def _best_fit(budget: int, footprints: dict[str, int], perplexities: dict[str, float]) -> str:
    return min((n for n in footprints if footprints[n] <= budget), key=perplexities.__getitem__)


def _check_choices(kata, budgets, footprints, perplexities) -> None:
    for budget in budgets:
        expected = _best_fit(budget, footprints, perplexities)
        got = kata.choose_precision(budget, footprints, perplexities)
        assert got == expected, (
            f"with {budget:,} bytes the best option that fits is {expected!r} (footprint "
            f"{footprints[expected]:,}, perplexity {perplexities[expected]:.2f}), got {got!r}: "
            "keep the options whose footprint is ≤ the budget, then take the lowest perplexity"
        )


@pytest.mark.task("3.8")
@pytest.mark.timeout(300)
def test_choose_precision_for_measured_budgets(kata, chat_footprints, chat_perplexities):
    smallest = min(chat_footprints.values())
    budgets = [size + delta for size in chat_footprints.values() for delta in (-1, 0, 1)]
    budgets = [b for b in budgets if b >= smallest] + [10 * max(chat_footprints.values())]
    _check_choices(kata, budgets, chat_footprints, chat_perplexities)


@pytest.mark.task("3.8")
@pytest.mark.timeout(30)
@pytest.mark.parametrize("seed", [3, 11])
def test_choose_precision_for_other_options(kata, seed):
    rng = random.Random(seed)
    names = rng.sample(["q2", "q3", "q5", "q6", "fp8", "int4", "awq", "gptq"], 5)
    footprints = {name: rng.randrange(10_000, 1_000_000) for name in names}
    perplexities = {name: rng.uniform(5, 50) for name in names}
    budgets = [rng.randrange(min(footprints.values()), 1_200_000) for _ in range(8)]
    _check_choices(kata, budgets, footprints, perplexities)


@pytest.mark.task("3.8")
@pytest.mark.timeout(300)
def test_impossible_budget_names_the_smallest_footprint(
    kata, chat_footprints, chat_perplexities, expect_error
):
    smallest = min(chat_footprints, key=chat_footprints.__getitem__)
    size = chat_footprints[smallest]
    error = expect_error(
        ValueError,
        lambda: kata.choose_precision(size - 1, chat_footprints, chat_perplexities),
        f"a budget of {size - 1:,} bytes is below every footprint, yet an option was returned",
        mentions=(smallest,),
    )
    assert any(form in str(error) for form in (str(size), f"{size:,}", f"{size:_}")), (
        f"the error should say how many bytes the smallest option needs ({size}), so the reader "
        f"knows what budget would work; it says: {error}"
    )


@pytest.mark.task("3.8")
@pytest.mark.timeout(30)
def test_options_must_match(kata, expect_error):
    expect_error(
        ValueError,
        lambda: kata.choose_precision(10**9, {"int8": 300, "nf4": 200}, {"int8": 20.0}),
        "nf4 has a footprint but no perplexity, yet no error was raised",
        mentions=("nf4",),
    )


# ------------------------------------------------------------------ 3.9 generation

PROMPT = "The capital of France is"


@pytest.mark.task("3.9")
@pytest.mark.timeout(300)
@pytest.mark.parametrize(("precision", "max_new_tokens"), [("int8", 7), ("nf4", 5)])
def test_generate_greedy_with_a_quantized_model(
    kata, chat_models, smollm2, precision, max_new_tokens, show
):
    model = chat_models[precision]
    expected = greedy_continuation(model, smollm2.tokenizer, PROMPT, max_new_tokens).text
    got = kata.generate_greedy(model, smollm2.tokenizer, PROMPT, max_new_tokens=max_new_tokens)
    assert not got.startswith(PROMPT), (
        "the result starts with the prompt: return only the new text (decode the tokens after "
        "the prompt)"
    )
    assert got == expected, (
        f"the {precision} model's greedy continuation in {max_new_tokens} tokens is "
        f"{expected!r}, got {got!r}: use do_sample=False and max_new_tokens, and decode with "
        "skip_special_tokens=True"
    )
    show(f"{precision} continues {PROMPT!r}", repr(got))


@pytest.mark.task("3.9")
@pytest.mark.timeout(300)
def test_generate_greedy_needs_a_new_token(kata, chat_models, smollm2, expect_error):
    expect_error(
        ValueError,
        lambda: kata.generate_greedy(
            chat_models["nf4"], smollm2.tokenizer, PROMPT, max_new_tokens=0
        ),
        "max_new_tokens=0 asks for no text at all",
        mentions=("max_new_tokens",),
    )


@pytest.mark.task("3.9")
@pytest.mark.timeout(60)
def test_generate_greedy_moves_inputs_to_the_models_device(kata, stand_in_llama):
    model, tokenizer, _ = stand_in_llama
    check_inputs_on_the_model(
        lambda: kata.generate_greedy(model, tokenizer, PROMPT, max_new_tokens=3), "generate_greedy"
    )
