"""Kata 03's own inputs: tiny resized models, and SmolLM2 loaded once in each precision (its
fp32 copy and tokenizer are the toolkit's `smollm2`: see hfkatas.testing.plugin)."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from hfkatas.testing.models import SMOLLM2, ZooModels, load_causal_lm
from hfkatas.testing.quantization import CPU_PRECISIONS, HELD_OUT_TEXT

# Two sizes unlike the catalog model, so no layer count or size can be hard-coded.
TINY_SIZES = [
    dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2),
    dict(hidden_size=96, intermediate_size=160, num_hidden_layers=3),
]


@pytest.fixture(scope="session", params=TINY_SIZES, ids=lambda size: f"hidden{size['hidden_size']}")
def tiny(zoo, request) -> str:
    """Repo id of a tiny random Llama (untied `lm_head`), in two sizes."""
    return zoo.variant("tiny-causal", **request.param)


@pytest.fixture(scope="session")
def tiny_fp32(tiny) -> Any:
    """The tiny model in full precision, to compare a quantized copy with."""
    return load_causal_lm(tiny, "fp32")


@pytest.fixture(scope="session")
def chat_models(zoo_models: ZooModels) -> dict[str, Any]:
    """SmolLM2-135M in fp32 (the toolkit's `smollm2` model), bf16, int8 and nf4, each loaded
    once per session."""
    fp32 = zoo_models.load(SMOLLM2)
    return {
        precision: fp32.model if precision == "fp32" else load_causal_lm(fp32.repo_id, precision)
        for precision in CPU_PRECISIONS
    }


@pytest.fixture(scope="session")
def chat_footprints(chat_models) -> dict[str, int]:
    return {name: model.get_memory_footprint() for name, model in chat_models.items()}


@pytest.fixture(scope="session")
def chat_perplexities(chat_models, zoo_models: ZooModels) -> dict[str, float]:
    """Perplexity of each precision on the held-out text, measured with the library."""
    tokenizer = zoo_models.load(SMOLLM2).tokenizer
    ids = tokenizer(HELD_OUT_TEXT, return_tensors="pt")["input_ids"]
    with torch.no_grad():
        return {
            name: float(model(input_ids=ids, labels=ids).loss.float().exp())
            for name, model in chat_models.items()
        }
