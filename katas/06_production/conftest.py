"""Fixtures for kata 06: zoo models of several sizes, loaded directly with transformers."""

from __future__ import annotations

from typing import Any

import pytest

# transformers is imported inside the fixtures: this file loads before the plugin isolates the
# Hugging Face environment (HF_HOME, offline mode), and the libraries read it at import time.

# Three decoder-only models whose sizes are far apart (about 0.1, 0.5 and 3 MB in float32).
SIZES = {
    "small": dict(
        hidden_size=32, intermediate_size=64, num_attention_heads=4, num_key_value_heads=2
    ),
    "medium": dict(
        hidden_size=64, intermediate_size=128, num_attention_heads=4, num_key_value_heads=2
    ),
    "large": dict(
        hidden_size=192, intermediate_size=384, num_attention_heads=6, num_key_value_heads=3
    ),
}


@pytest.fixture(scope="session")
def sized_models(zoo: Any) -> dict[str, str]:
    """Repo ids of a small, a medium and a large tiny Llama."""
    return {name: zoo.variant("tiny-causal", **params) for name, params in SIZES.items()}


@pytest.fixture(scope="session")
def tiny_causal(zoo: Any) -> tuple[Any, str]:
    """The tiny Llama in eval mode, with its repo id (load a fresh tokenizer per test)."""
    import torch
    from transformers import AutoModelForCausalLM

    repo_id = zoo.repo_id("tiny-causal")
    model = AutoModelForCausalLM.from_pretrained(repo_id, dtype=torch.float32).eval()
    return model, repo_id


@pytest.fixture
def tiny_tokenizer(tiny_causal: tuple[Any, str]) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_causal[1])
