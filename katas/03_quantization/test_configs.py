"""Tasks 3.1 and 3.2: BitsAndBytesConfig for LLM.int8 and for 4-bit."""

from __future__ import annotations

import bitsandbytes as bnb
import pytest
import torch
from transformers import AutoModelForCausalLM, BitsAndBytesConfig


def _load(repo_id: str, config: BitsAndBytesConfig) -> torch.nn.Module:
    return AutoModelForCausalLM.from_pretrained(
        repo_id, quantization_config=config, dtype=torch.float32
    )


def _linear_layers(model: torch.nn.Module) -> dict[str, torch.nn.Linear]:
    return {n: m for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)}


def _check_skipped_layers_stay_full_precision(model: torch.nn.Module, quantized: type) -> None:
    layers = _linear_layers(model)
    for name, layer in layers.items():
        if name.endswith("down_proj") or name == "lm_head":
            assert type(layer) is torch.nn.Linear and layer.weight.dtype == torch.float32, (
                f"{name} became {type(layer).__name__}: it should stay a full-precision "
                "nn.Linear. Passing your own skip list replaces the default one, so add "
                "'lm_head' to it yourself"
            )
        else:
            assert isinstance(layer, quantized), (
                f"{name} is a {type(layer).__name__}, not a {quantized.__name__}: skip only the "
                "modules you were given"
            )


@pytest.mark.task("3.1")
@pytest.mark.timeout(30)
@pytest.mark.parametrize("threshold", [None, 3.5])
def test_int8_config_asks_for_8_bit_with_the_outlier_threshold(kata, threshold):
    config = kata.int8_config() if threshold is None else kata.int8_config(threshold=threshold)
    expected = 6.0 if threshold is None else threshold
    assert isinstance(config, BitsAndBytesConfig), (
        f"int8_config returned a {type(config).__name__}: return a BitsAndBytesConfig"
    )
    assert config.load_in_8bit and not config.load_in_4bit, (
        "the config should load in 8 bits (load_in_8bit=True) and not in 4 bits"
    )
    assert config.llm_int8_threshold == expected, (
        f"llm_int8_threshold is {config.llm_int8_threshold}, expected {expected}: pass the "
        "threshold argument on (6.0 is the LLM.int8 paper's default)"
    )


@pytest.mark.task("3.1")
@pytest.mark.timeout(30)
def test_int8_skipped_modules_and_lm_head_stay_full_precision(kata, tiny):
    model = _load(tiny, kata.int8_config(threshold=4.5, skip_modules=["mlp.down_proj"]))
    _check_skipped_layers_stay_full_precision(model, bnb.nn.Linear8bitLt)
    thresholds = {
        layer.state.threshold
        for layer in _linear_layers(model).values()
        if isinstance(layer, bnb.nn.Linear8bitLt)
    }
    assert thresholds == {4.5}, (
        f"the 8-bit layers use outlier thresholds {thresholds}, expected 4.5: set "
        "llm_int8_threshold from the threshold argument"
    )


@pytest.mark.task("3.1")
@pytest.mark.timeout(30)
def test_int8_skip_modules_as_a_bare_string_is_a_type_error(kata, expect_error):
    expect_error(
        TypeError,
        lambda: kata.int8_config(skip_modules="lm_head"),
        "skip_modules='lm_head' is a string, which bitsandbytes would read letter by letter",
        mentions=("lm_head",),
    )


@pytest.mark.task("3.2")
@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("quant_type", "double_quant", "compute_dtype"),
    [("nf4", True, torch.bfloat16), ("fp4", False, torch.float32)],
)
def test_four_bit_config_sets_type_double_quant_and_compute_dtype(
    kata, tiny, quant_type, double_quant, compute_dtype
):
    config = kata.four_bit_config(
        quant_type=quant_type, double_quant=double_quant, compute_dtype=compute_dtype
    )
    assert isinstance(config, BitsAndBytesConfig) and config.load_in_4bit, (
        "four_bit_config should return a BitsAndBytesConfig with load_in_4bit=True"
    )
    assert not config.load_in_8bit, "a 4-bit config must not also ask for 8 bits"
    layers = [
        m for m in _linear_layers(_load(tiny, config)).values() if isinstance(m, bnb.nn.Linear4bit)
    ]
    assert layers, "no layer became a Linear4bit: is load_in_4bit set?"
    layer = layers[0]
    assert layer.weight.quant_type == quant_type, (
        f"weights were quantized as {layer.weight.quant_type!r}, asked for {quant_type!r}: set "
        "bnb_4bit_quant_type"
    )
    assert bool(layer.weight.quant_state.nested) == double_quant, (
        f"double quantization is {'on' if layer.weight.quant_state.nested else 'off'}, asked "
        f"for {'on' if double_quant else 'off'}: set bnb_4bit_use_double_quant"
    )
    assert layer.compute_dtype == compute_dtype, (
        f"the layers compute in {layer.compute_dtype}, asked for {compute_dtype}: set "
        "bnb_4bit_compute_dtype"
    )


@pytest.mark.task("3.2")
@pytest.mark.timeout(30)
def test_four_bit_config_defaults_to_nf4(kata):
    config = kata.four_bit_config()
    assert config.bnb_4bit_quant_type == "nf4", (
        f"the default quant type is {config.bnb_4bit_quant_type!r}: BitsAndBytesConfig "
        "defaults to 'fp4', so ask for 'nf4' (better for normally distributed weights) explicitly"
    )


@pytest.mark.task("3.2")
@pytest.mark.timeout(30)
def test_four_bit_skipped_modules_and_lm_head_stay_full_precision(kata, tiny):
    model = _load(tiny, kata.four_bit_config(skip_modules=["mlp.down_proj"]))
    _check_skipped_layers_stay_full_precision(model, bnb.nn.Linear4bit)


@pytest.mark.task("3.2")
@pytest.mark.timeout(30)
def test_unknown_quant_type_is_a_clear_error(kata, expect_error):
    expect_error(
        ValueError,
        lambda: kata.four_bit_config(quant_type="int4"),
        "four_bit_config accepted quant_type='int4', which bitsandbytes only rejects deep "
        "inside from_pretrained",
        mentions=("int4", "nf4", "fp4"),
    )
