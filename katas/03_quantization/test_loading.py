"""Tasks 3.3 and 3.4: load a quantized model, and see which layers were quantized."""

from __future__ import annotations

import bitsandbytes as bnb
import pytest
import torch
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

from hfkatas.testing.models import load_causal_lm

EIGHT_BIT = {"load_in_8bit": True}
NF4 = {"load_in_4bit": True, "bnb_4bit_quant_type": "nf4"}
# (settings, layer class, weight class) for each way of quantizing.
KINDS = [
    pytest.param(EIGHT_BIT, bnb.nn.Linear8bitLt, bnb.nn.Int8Params, id="int8"),
    pytest.param(NF4, bnb.nn.Linear4bit, bnb.nn.Params4bit, id="nf4"),
]


@pytest.mark.task("3.3")
@pytest.mark.timeout(60)
@pytest.mark.parametrize(("settings", "layer_type", "weight_type"), KINDS)
@pytest.mark.parametrize("as_dict", [False, True], ids=["config", "dict"])
def test_load_quantized_swaps_linear_layers_and_keeps_lm_head(
    kata, tiny, tiny_fp32, settings, layer_type, weight_type, as_dict
):
    config = dict(settings) if as_dict else BitsAndBytesConfig(**settings)
    model = kata.load_quantized(tiny, config)
    blocks = {
        name: module
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and name != "lm_head"
    }
    assert blocks and all(isinstance(m, layer_type) for m in blocks.values()), (
        f"the transformer blocks' linear layers should be {layer_type.__name__}: pass the config "
        "as quantization_config= to from_pretrained"
    )
    assert all(type(m.weight) is weight_type for m in blocks.values()), (
        f"quantized layers should hold their weights in {weight_type.__name__}"
    )
    assert type(model.lm_head) is torch.nn.Linear and model.lm_head.weight.dtype == torch.float32, (
        "lm_head should stay a full-precision nn.Linear: don't pass your own skip list here"
    )
    assert model.num_parameters() == tiny_fp32.num_parameters(), (
        f"the quantized model reports {model.num_parameters()} parameters, the fp32 one "
        f"{tiny_fp32.num_parameters()}: quantization changes how weights are stored, not how "
        "many there are — load the same repo id"
    )


@pytest.mark.task("3.3")
@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("config", "mentions", "mistake"),
    [
        pytest.param(
            {"load_in_8bit": True, "load_in_4bit": True},
            ("4", "8"),
            "a config that asks for both 8-bit and 4-bit was accepted",
            id="both",
        ),
        pytest.param(
            {"llm_int8_threshold": 6.0},
            ("4", "8"),
            "a config that asks for neither 8-bit nor 4-bit would load an unquantized model",
            id="neither",
        ),
        pytest.param(
            {"load_in_4bit": True, "bnb_4bit_quant_type": "int3"},
            ("int3", "nf4"),
            "a config with quant type 'int3' got as far as loading the model",
            id="unknown-quant-type",
        ),
    ],
)
def test_bad_configs_fail_before_loading(
    kata, tiny, expect_error, from_pretrained_calls, config, mentions, mistake
):
    expect_error(ValueError, lambda: kata.load_quantized(tiny, config), mistake, mentions)
    assert not from_pretrained_calls, (
        "the error came from inside from_pretrained: check the config before loading the model"
    )


@pytest.mark.task("3.3")
@pytest.mark.timeout(30)
def test_a_precision_name_is_not_a_config(kata, tiny, expect_error, from_pretrained_calls):
    expect_error(
        TypeError,
        lambda: kata.load_quantized(tiny, "nf4"),
        "load_quantized accepted the string 'nf4' as a config",
        mentions=("BitsAndBytesConfig",),
    )
    assert not from_pretrained_calls, "check the config's type before loading the model"


@pytest.mark.task("3.4")
@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("settings", "quantized_as"),
    [
        (EIGHT_BIT, "int8"),
        ({"load_in_4bit": True, "bnb_4bit_quant_type": "fp4"}, "fp4"),
        (NF4, "nf4"),
    ],
)
def test_linear_layer_precisions_of_a_partly_quantized_model(kata, tiny, settings, quantized_as):
    config = BitsAndBytesConfig(**settings, llm_int8_skip_modules=["lm_head", "o_proj"])
    model = AutoModelForCausalLM.from_pretrained(
        tiny, quantization_config=config, dtype=torch.float32
    )
    expected = {
        name: "float32" if name == "lm_head" or name.endswith("o_proj") else quantized_as
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear)
    }
    got = kata.linear_layer_precisions(model)
    assert set(got) == set(expected), (
        f"expected one entry per linear layer ({len(expected)}), got {len(got)}: include every "
        f"nn.Linear (quantized layers are subclasses of it); missing {sorted(expected.keys() - got)[:3]}, "
        f"extra {sorted(got.keys() - expected)[:3]}"
    )
    wrong = {name: (got[name], want) for name, want in expected.items() if got[name] != want}
    assert not wrong, (
        f"some layers are reported wrongly (got, expected): {dict(list(wrong.items())[:3])}. "
        "Check the bitsandbytes classes before nn.Linear, and read a 4-bit weight's quant_type"
    )


@pytest.mark.task("3.4")
@pytest.mark.timeout(30)
@pytest.mark.parametrize(("precision", "dtype_name"), [("fp32", "float32"), ("bf16", "bfloat16")])
def test_linear_layer_precisions_of_a_full_precision_model(kata, tiny, precision, dtype_name):
    model = load_causal_lm(tiny, precision)
    got = kata.linear_layer_precisions(model)
    layers = [n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)]
    assert got == dict.fromkeys(layers, dtype_name), (
        f"every linear layer of a {precision} model should be reported as {dtype_name!r}: "
        "use the weight's dtype without the 'torch.' prefix"
    )
