"""Shared inputs for kata 01: resized zoo models (built once per session, cached on disk)."""

from __future__ import annotations

import pytest

FOUR_LABELS = ["sad", "calm", "happy", "angry"]


@pytest.fixture(scope="session")
def small_gpt2(zoo) -> str:
    """A GPT-2 unlike the catalog one, so sizes can't be hard-coded."""
    return zoo.variant("tiny-dropout", n_embd=44, n_layer=2)


@pytest.fixture(scope="session")
def small_t5(zoo) -> str:
    """A T5 unlike the catalog one."""
    return zoo.variant("tiny-seq2seq", d_model=24, num_layers=3, num_decoder_layers=3)


@pytest.fixture(scope="session")
def four_label_bert(zoo) -> str:
    """A BERT classifier with four labels instead of three, and a different width."""
    return zoo.variant("tiny-encoder", labels=FOUR_LABELS, hidden_size=30, num_attention_heads=3)
