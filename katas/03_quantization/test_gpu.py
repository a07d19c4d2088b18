"""Tasks 3.10 and 3.11: quantized models on a CUDA GPU (`nox -s cuda`); bad inputs run anywhere."""

from __future__ import annotations

import bitsandbytes as bnb
import pytest
import torch

from hfkatas.testing.quantization import HELD_OUT_TEXT, estimated_footprint

PRECISIONS = ("fp16", "int8", "nf4")
# Bits per quantized linear weight, and bytes per other weight, as load_on_gpu stores them.
GPU_STORAGE = {"fp16": (16, 2), "int8": (8, 2), "nf4": (4, 2)}


def _blocks(model: torch.nn.Module) -> list[torch.nn.Linear]:
    return [
        module
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and name != "lm_head"
    ]


@pytest.mark.task("3.10")
@pytest.mark.timeout(30)
def test_unknown_gpu_precision_fails_before_loading(
    kata, tiny, expect_error, from_pretrained_calls
):
    expect_error(
        ValueError,
        lambda: kata.load_on_gpu(tiny, "int4"),
        "load_on_gpu accepted the precision 'int4'",
        mentions=PRECISIONS,
    )
    assert not from_pretrained_calls, "check the precision before loading the model"


@pytest.mark.task("3.10")
@pytest.mark.cuda
@pytest.mark.timeout(300)
@pytest.mark.parametrize("precision", PRECISIONS)
def test_load_on_gpu(kata, zoo, smollm2, precision):
    model = kata.load_on_gpu(zoo.repo_id("chat"), precision)
    devices = {parameter.device.type for parameter in model.parameters()}
    assert devices == {"cuda"}, f"parameters are on {devices}: every weight belongs on the GPU"
    assert getattr(model, "hf_device_map", None), (
        "the model has no hf_device_map: load it with device_map='auto'"
    )
    blocks = _blocks(model)
    if precision == "fp16":
        dtypes = {p.dtype for p in model.parameters()}
        assert dtypes == {torch.float16}, f"an fp16 model should hold float16 weights, has {dtypes}"
    elif precision == "int8":
        assert all(isinstance(m, bnb.nn.Linear8bitLt) for m in blocks), (
            "the int8 model's linear layers should be Linear8bitLt: pass an 8-bit config"
        )
    else:
        assert all(isinstance(m, bnb.nn.Linear4bit) for m in blocks), (
            "the nf4 model's linear layers should be Linear4bit: pass a 4-bit config"
        )
        assert {m.weight.quant_type for m in blocks} == {"nf4"}, "quantize to 'nf4'"
        assert {m.compute_dtype for m in blocks} == {torch.bfloat16}, (
            "on a GPU, 4-bit layers should compute in bfloat16: bnb_4bit_compute_dtype"
        )
    inputs = smollm2.tokenizer("The capital of France is", return_tensors="pt").to(model.device)
    with torch.no_grad():
        logits = model(**inputs).logits
    assert torch.isfinite(logits).all(), f"the {precision} model produced NaN or inf logits"


@pytest.mark.task("3.11")
@pytest.mark.timeout(30)
def test_unknown_precision_fails_before_measuring(kata, tiny, expect_error, from_pretrained_calls):
    expect_error(
        ValueError,
        lambda: kata.peak_gpu_memory(tiny, "fp64", "some text"),
        "peak_gpu_memory accepted the precision 'fp64'",
        mentions=("fp64",),
    )
    assert not from_pretrained_calls, "check the precision before loading the model"


@pytest.mark.task("3.11")
@pytest.mark.cuda
@pytest.mark.timeout(600)
def test_peak_gpu_memory_shrinks_with_the_bits(kata, zoo, chat_models):
    repo_id = zoo.repo_id("chat")
    peaks = {}
    for precision, (bits, kept_bytes) in GPU_STORAGE.items():
        peaks[precision] = kata.peak_gpu_memory(repo_id, precision, HELD_OUT_TEXT)
        weights = estimated_footprint(chat_models["fp32"], bits, kept_bytes)
        assert weights <= peaks[precision] <= torch.cuda.max_memory_allocated(), (
            f"{precision}: peak {peaks[precision]:,} bytes, but its weights alone take "
            f"{weights:,}: reset the peak statistics before loading, and measure after the "
            "forward pass with torch.cuda.max_memory_allocated()"
        )
    assert peaks["nf4"] < peaks["int8"] < peaks["fp16"], (
        f"peaks {peaks}: fewer bits should need less GPU memory; load each precision as "
        "load_on_gpu does"
    )
