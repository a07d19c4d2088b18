"""Kata 02's own preparation of the toolkit's zoo models (`tiny_llama`, `smollm2`, `minilm`,
`stand_in_llama`, `stand_in_minilm`: see hfkatas.testing.plugin)."""

from __future__ import annotations

import pytest

from hfkatas.testing.models import ZooModel


def _pad_with_eos(loaded: ZooModel) -> ZooModel:
    loaded.tokenizer.pad_token = loaded.tokenizer.eos_token
    return loaded


@pytest.fixture
def right_padded_llama(tiny_llama: ZooModel) -> ZooModel:
    """The tiny Llama with a tokenizer given a pad token but still padding on the RIGHT (like
    SmolLM2's own tokenizer); the model's generation config has no pad token id."""
    return _pad_with_eos(tiny_llama)


@pytest.fixture
def right_padded_stand_in(stand_in_llama: ZooModel) -> ZooModel:
    """The tiny Llama on the `meta` GPU stand-in, with the tokenizer of `right_padded_llama`."""
    return _pad_with_eos(stand_in_llama)
