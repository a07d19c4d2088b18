"""Models for kata 02, loaded once per session straight from the zoo (never with kata code).

transformers is imported inside the fixtures: pytest loads this file before the hf-katas plugin
has isolated the Hugging Face cache and gone offline, and the libraries read that at import.
"""

from __future__ import annotations

from typing import Any

import pytest

Loaded = tuple[Any, Any]


def _causal_lm(repo_id: str) -> Any:
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(repo_id, dtype=torch.float32)
    return model.eval()


@pytest.fixture(scope="session")
def _tiny_model(zoo: Any) -> Any:
    return _causal_lm(zoo.repo_id("tiny-causal"))


@pytest.fixture
def tiny_lm(zoo: Any, _tiny_model: Any) -> Loaded:
    """The tiny Llama and a fresh tokenizer given a pad token but still padding on the RIGHT
    (like SmolLM2's own tokenizer); the model's generation config has no pad token id."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(zoo.repo_id("tiny-causal"))
    tokenizer.pad_token = tokenizer.eos_token
    _tiny_model.generation_config.pad_token_id = None
    return _tiny_model, tokenizer


@pytest.fixture(scope="session")
def smol(zoo: Any) -> Loaded:
    """SmolLM2-135M-Instruct as shipped: pad token = EOS, padding on the right."""
    from transformers import AutoTokenizer

    repo_id = zoo.repo_id("chat")
    return _causal_lm(repo_id), AutoTokenizer.from_pretrained(repo_id)


@pytest.fixture(scope="session")
def minilm(zoo: Any) -> Loaded:
    """all-MiniLM-L6-v2 loaded with AutoModel (the bare encoder, no head)."""
    from transformers import AutoModel, AutoTokenizer

    repo_id = zoo.repo_id("embed")
    return AutoModel.from_pretrained(repo_id).eval(), AutoTokenizer.from_pretrained(repo_id)


@pytest.fixture
def stand_in_lm(zoo: Any, tiny_lm: Loaded) -> Loaded:
    """The tiny Llama on PyTorch's `meta` device (a GPU stand-in): calling it records where its
    inputs are and stops (see hfkatas.support.inference.on_a_stand_in_device)."""
    from transformers import AutoModelForCausalLM

    from hfkatas.support.inference import on_a_stand_in_device

    model = AutoModelForCausalLM.from_pretrained(zoo.repo_id("tiny-causal"), device_map="meta")
    return on_a_stand_in_device(model.eval()), tiny_lm[1]


@pytest.fixture
def stand_in_encoder(zoo: Any, minilm: Loaded) -> Loaded:
    """all-MiniLM-L6-v2 on the `meta` GPU stand-in, like `stand_in_lm`."""
    from transformers import AutoModel

    from hfkatas.support.inference import on_a_stand_in_device

    model = AutoModel.from_pretrained(zoo.repo_id("embed"), device_map="meta")
    return on_a_stand_in_device(model.eval()), minilm[1]
