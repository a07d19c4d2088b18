"""Kata 03 · Quantization with bitsandbytes: reference solutions."""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from typing import Any

import bitsandbytes as bnb
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig, PreTrainedModel

QUANT_TYPES = ("nf4", "fp4")
GPU_PRECISIONS = ("fp16", "int8", "nf4")


def _skip_list(skip_modules: Sequence[str]) -> list[str] | None:
    """The modules to keep in full precision: the caller's, plus `lm_head` (which transformers
    stops skipping as soon as you pass your own list)."""
    if isinstance(skip_modules, str):
        raise TypeError(
            f"skip_modules must be a list of module names, not the string {skip_modules!r}: "
            f"write [{skip_modules!r}]"
        )
    if not skip_modules:
        return None
    return list(dict.fromkeys([*skip_modules, "lm_head"]))


def _check_quant_type(quant_type: object) -> None:
    if quant_type not in QUANT_TYPES:
        raise ValueError(
            f"unknown 4-bit quant type {quant_type!r}: bitsandbytes knows 'nf4' (NormalFloat, "
            "the usual choice) and 'fp4'"
        )


def _check_gpu_precision(precision: object) -> None:
    if precision not in GPU_PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}: choose one of {GPU_PRECISIONS}")


def int8_config(threshold: float = 6.0, skip_modules: Sequence[str] = ()) -> BitsAndBytesConfig:
    """An LLM.int8 config: outlier `threshold`, and `skip_modules` (plus `lm_head`) kept in full
    precision. A plain string as `skip_modules` is a TypeError."""
    return BitsAndBytesConfig(
        load_in_8bit=True,
        llm_int8_threshold=threshold,
        llm_int8_skip_modules=_skip_list(skip_modules),
    )


def four_bit_config(
    quant_type: str = "nf4",
    double_quant: bool = False,
    compute_dtype: torch.dtype = torch.float32,
    skip_modules: Sequence[str] = (),
) -> BitsAndBytesConfig:
    """A 4-bit config: `quant_type` 'nf4' or 'fp4' (anything else is a ValueError), double
    quantization on or off, the dtype matrix multiplications run in, and modules to skip."""
    _check_quant_type(quant_type)
    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type=quant_type,
        bnb_4bit_use_double_quant=double_quant,
        bnb_4bit_compute_dtype=compute_dtype,
        llm_int8_skip_modules=_skip_list(skip_modules),
    )


def load_quantized(repo_id: str, config: BitsAndBytesConfig | Mapping[str, Any]) -> PreTrainedModel:
    """Load a causal LM quantized with `config` (a BitsAndBytesConfig, or a dict as found in a
    model's config.json), in eval mode. Contradictory or unknown settings are a ValueError raised
    before any model is loaded; anything but a config or a mapping is a TypeError."""
    if isinstance(config, Mapping):
        config = BitsAndBytesConfig.from_dict(dict(config))
    if not isinstance(config, BitsAndBytesConfig):
        raise TypeError(
            f"config must be a BitsAndBytesConfig or a dict of its settings, not "
            f"{type(config).__name__}: build one with int8_config() or four_bit_config()"
        )
    if config.load_in_4bit == config.load_in_8bit:
        raise ValueError(
            "the config must choose exactly one of load_in_8bit and load_in_4bit "
            f"(got load_in_8bit={config.load_in_8bit}, load_in_4bit={config.load_in_4bit})"
        )
    if config.load_in_4bit:
        _check_quant_type(config.bnb_4bit_quant_type)
    # An explicit dtype for the layers kept in full precision: transformers 4.57 would force float16.
    model = AutoModelForCausalLM.from_pretrained(
        repo_id, quantization_config=config, dtype=torch.float32
    )
    return model.eval()


def linear_layer_precisions(model: torch.nn.Module) -> dict[str, str]:
    """Every linear layer's name → how its weight is stored: 'int8', 'nf4' or 'fp4' when
    quantized, else the dtype's name ('float32', 'bfloat16', ...)."""
    precisions = {}
    for name, module in model.named_modules():
        if isinstance(module, bnb.nn.Linear8bitLt):
            precisions[name] = "int8"
        elif isinstance(module, bnb.nn.Linear4bit):
            precisions[name] = module.weight.quant_type
        elif isinstance(module, torch.nn.Linear):
            precisions[name] = str(module.weight.dtype).removeprefix("torch.")
    return precisions


def _relative_to(
    values: Mapping[str, float], baseline: str, what: str
) -> dict[str, tuple[float, float]]:
    if baseline not in values:
        raise ValueError(f"baseline {baseline!r} is not among the {what}: {sorted(values)}")
    return {name: (value, value / values[baseline]) for name, value in values.items()}


def footprint_report(
    models: Mapping[str, PreTrainedModel], baseline: str = "fp32"
) -> dict[str, tuple[int, float]]:
    """Name → (memory footprint in bytes, footprint / the baseline model's footprint)."""
    footprints = {name: model.get_memory_footprint() for name, model in models.items()}
    return {
        name: (int(size), ratio)
        for name, (size, ratio) in _relative_to(footprints, baseline, "models").items()
    }


def perplexity(model: PreTrainedModel, tokenizer: Any, text: str) -> float:
    """exp(mean next-token cross-entropy) of `text` under `model` (which may sit on any device).
    Text with fewer than two tokens is a ValueError (there is nothing to predict)."""
    input_ids = tokenizer(text, return_tensors="pt")["input_ids"]
    if input_ids.shape[1] < 2:
        raise ValueError(
            f"perplexity needs at least two tokens of text, got {input_ids.shape[1]}: "
            "pass a longer text"
        )
    with torch.no_grad():
        loss = model(input_ids=input_ids.to(model.device), labels=input_ids.to(model.device)).loss
    return float(torch.exp(loss.float()))


def quality_report(
    models: Mapping[str, PreTrainedModel], tokenizer: Any, text: str, baseline: str = "fp32"
) -> dict[str, tuple[float, float]]:
    """Name → (perplexity on `text`, relative increase over the baseline's perplexity)."""
    if baseline not in models:
        raise ValueError(f"baseline {baseline!r} is not among the models: {sorted(models)}")
    scores = {name: perplexity(model, tokenizer, text) for name, model in models.items()}
    return {
        name: (ppl, ratio - 1.0)
        for name, (ppl, ratio) in _relative_to(scores, baseline, "models").items()
    }


def choose_precision(
    budget_bytes: int, footprints: Mapping[str, int], perplexities: Mapping[str, float]
) -> str:
    """The option with the lowest perplexity whose footprint fits in `budget_bytes`. If none
    fits, a ValueError naming the smallest option and its footprint in bytes."""
    if set(footprints) != set(perplexities):
        raise ValueError(
            "footprints and perplexities must describe the same options, got "
            f"{sorted(footprints)} and {sorted(perplexities)}"
        )
    fitting = [name for name, size in footprints.items() if size <= budget_bytes]
    if not fitting:
        smallest = min(footprints, key=footprints.__getitem__)
        raise ValueError(
            f"no option fits in {budget_bytes} bytes: the smallest is {smallest!r} at "
            f"{footprints[smallest]} bytes"
        )
    return min(fitting, key=perplexities.__getitem__)


def generate_greedy(
    model: PreTrainedModel, tokenizer: Any, prompt: str, max_new_tokens: int = 20
) -> str:
    """The greedy continuation of `prompt` (the new text only, special tokens removed), with a
    model that may sit on any device."""
    if max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be at least 1, got {max_new_tokens}")
    inputs = tokenizer(prompt, return_tensors="pt").to(model.device)
    with torch.no_grad():
        output = model.generate(**inputs, do_sample=False, max_new_tokens=max_new_tokens)
    new_tokens = output[0, inputs["input_ids"].shape[1] :]
    return tokenizer.decode(new_tokens, skip_special_tokens=True)


def load_on_gpu(repo_id: str, precision: str) -> PreTrainedModel:
    """Load a causal LM onto the GPU with `device_map="auto"`: 'fp16' (float16 weights), 'int8'
    (LLM.int8, float16 elsewhere) or 'nf4' (NF4 with bfloat16 compute, bfloat16 elsewhere).
    Any other precision is a ValueError raised before loading."""
    _check_gpu_precision(precision)
    if precision == "fp16":
        settings: dict[str, Any] = {"dtype": torch.float16}
    elif precision == "int8":
        settings = {"dtype": torch.float16, "quantization_config": int8_config()}
    else:
        nf4 = four_bit_config("nf4", compute_dtype=torch.bfloat16)
        settings = {"dtype": torch.bfloat16, "quantization_config": nf4}
    model = AutoModelForCausalLM.from_pretrained(repo_id, device_map="auto", **settings)
    return model.eval()


def peak_gpu_memory(repo_id: str, precision: str, text: str) -> int:
    """Peak GPU memory in bytes (above what was allocated before the call) while loading the
    model with `load_on_gpu` and running one forward pass on `text`."""
    _check_gpu_precision(precision)
    gc.collect()
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    before = torch.cuda.memory_allocated()
    model = load_on_gpu(repo_id, precision)
    input_ids = AutoTokenizer.from_pretrained(repo_id)(text, return_tensors="pt")["input_ids"]
    with torch.no_grad():
        model(input_ids=input_ids.to(model.device))
    peak = torch.cuda.max_memory_allocated() - before
    del model
    gc.collect()
    torch.cuda.empty_cache()
    return int(peak)
