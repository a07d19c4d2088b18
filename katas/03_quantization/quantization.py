"""Kata 03 · Quantization with bitsandbytes — 8-bit and 4-bit models, their size and their cost.

Read the task in README.md, replace `raise NotImplementedError` with your code, and run
`pytest katas/03_quantization`. Everything runs on a laptop CPU except tasks 3.10 and 3.11,
which need a CUDA GPU (`nox -s cuda`).
"""

from __future__ import annotations

import gc  # noqa: F401  (everything this kata needs is imported for you)
from collections.abc import Mapping, Sequence
from typing import Any

import bitsandbytes as bnb  # noqa: F401
import torch
from transformers import (  # noqa: F401
    AutoModelForCausalLM,
    AutoTokenizer,
    BitsAndBytesConfig,
    PreTrainedModel,
)

# The 4-bit data types bitsandbytes knows, and the precisions `load_on_gpu` accepts.
QUANT_TYPES = ("nf4", "fp4")
GPU_PRECISIONS = ("fp16", "int8", "nf4")


# ------------------------------------------------------------------ 3.1–3.2 configs


def int8_config(threshold: float = 6.0, skip_modules: Sequence[str] = ()) -> BitsAndBytesConfig:
    """An LLM.int8 config: outlier `threshold`, and `skip_modules` (plus `lm_head`) kept in full
    precision. A plain string as `skip_modules` is a TypeError."""
    # TODO 3.1
    raise NotImplementedError


def four_bit_config(
    quant_type: str = "nf4",
    double_quant: bool = False,
    compute_dtype: torch.dtype = torch.float32,
    skip_modules: Sequence[str] = (),
) -> BitsAndBytesConfig:
    """A 4-bit config: `quant_type` 'nf4' or 'fp4' (anything else is a ValueError), double
    quantization on or off, the dtype matrix multiplications run in, and modules to skip."""
    # TODO 3.2
    raise NotImplementedError


# ------------------------------------------------------------------ 3.3–3.4 loading


def load_quantized(repo_id: str, config: BitsAndBytesConfig | Mapping[str, Any]) -> PreTrainedModel:
    """Load a causal LM quantized with `config` (a BitsAndBytesConfig, or a dict as found in a
    model's config.json), in eval mode. Contradictory or unknown settings are a ValueError raised
    before any model is loaded; anything but a config or a mapping is a TypeError."""
    # TODO 3.3
    raise NotImplementedError


def linear_layer_precisions(model: torch.nn.Module) -> dict[str, str]:
    """Every linear layer's name → how its weight is stored: 'int8', 'nf4' or 'fp4' when
    quantized, else the dtype's name ('float32', 'bfloat16', ...)."""
    # TODO 3.4
    raise NotImplementedError


# ------------------------------------------------------------------ 3.5–3.8 size and quality


def footprint_report(
    models: Mapping[str, PreTrainedModel], baseline: str = "fp32"
) -> dict[str, tuple[int, float]]:
    """Name → (memory footprint in bytes, footprint / the baseline model's footprint)."""
    # TODO 3.5
    raise NotImplementedError


def perplexity(model: PreTrainedModel, tokenizer: Any, text: str) -> float:
    """exp(mean next-token cross-entropy) of `text` under `model` (which may sit on any device).
    Text with fewer than two tokens is a ValueError (there is nothing to predict)."""
    # TODO 3.6
    raise NotImplementedError


def quality_report(
    models: Mapping[str, PreTrainedModel], tokenizer: Any, text: str, baseline: str = "fp32"
) -> dict[str, tuple[float, float]]:
    """Name → (perplexity on `text`, relative increase over the baseline's perplexity)."""
    # TODO 3.7
    raise NotImplementedError


def choose_precision(
    budget_bytes: int, footprints: Mapping[str, int], perplexities: Mapping[str, float]
) -> str:
    """The option with the lowest perplexity whose footprint fits in `budget_bytes`. If none
    fits, a ValueError naming the smallest option and its footprint in bytes."""
    # TODO 3.8
    raise NotImplementedError


# ------------------------------------------------------------------ 3.9 generation


def generate_greedy(
    model: PreTrainedModel, tokenizer: Any, prompt: str, max_new_tokens: int = 20
) -> str:
    """The greedy continuation of `prompt` (the new text only, special tokens removed), with a
    model that may sit on any device."""
    # TODO 3.9
    raise NotImplementedError


# ------------------------------------------------------------------ 3.10–3.11 on a GPU


def load_on_gpu(repo_id: str, precision: str) -> PreTrainedModel:
    """Load a causal LM onto the GPU with `device_map="auto"`: 'fp16' (float16 weights), 'int8'
    (LLM.int8, float16 elsewhere) or 'nf4' (NF4 with bfloat16 compute, bfloat16 elsewhere).
    Any other precision is a ValueError raised before loading."""
    # TODO 3.10
    raise NotImplementedError


def peak_gpu_memory(repo_id: str, precision: str, text: str) -> int:
    """Peak GPU memory in bytes (above what was allocated before the call) while loading the
    model with `load_on_gpu` and running one forward pass on `text`."""
    # TODO 3.11
    raise NotImplementedError
