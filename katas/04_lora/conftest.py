"""Kata 04's own inputs: the real movie-review records, resized tiny models, an EOS-padded
tokenizer and splits built by the tests (zoo models and `load_causal_lm`: hfkatas.testing)."""

from __future__ import annotations

from typing import Any

import pytest

from hfkatas.data.movie_reviews import RawRecord, raw_records
from hfkatas.testing.models import ZooModel


@pytest.fixture(scope="session")
def records() -> list[RawRecord]:
    """Every raw line of the movie-review file (fetched with pip once, then cached)."""
    return raw_records()


@pytest.fixture(scope="session")
def small_llama(zoo) -> str:
    """A tiny Llama unlike the catalog one, so layer sizes can't be hard-coded."""
    return zoo.variant("tiny-causal", hidden_size=40, intermediate_size=72, num_hidden_layers=3)


@pytest.fixture(scope="session")
def llama_for_4bit(zoo) -> str:
    """A tiny Llama whose layer widths suit bitsandbytes' 4-bit CPU kernels (multiples of 64)."""
    return zoo.variant("tiny-causal", hidden_size=64, intermediate_size=128)


@pytest.fixture
def eos_padded_tokenizer(tiny_llama: ZooModel) -> Any:
    """The tiny Llama's tokenizer (no pad token of its own), with EOS as pad for the fixtures."""
    tokenizer = tiny_llama.tokenizer
    tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def _label_of(rating: float, thresholds: tuple[float, ...]) -> int:
    return sum(rating >= edge for edge in thresholds)


@pytest.fixture
def label_of(kata):
    """The 5-level bucket of a rating, computed independently of the learner's code."""
    return lambda rating: _label_of(rating, kata.THRESHOLDS)


@pytest.fixture
def make_splits(kata, records):
    """Train / validation splits built by the test itself (not by the learner's build_splits)."""
    from datasets import Dataset, DatasetDict

    def make(n_train: int, n_validation: int, offset: int = 0) -> DatasetDict:
        rows = [
            {
                "text": r.text,
                "rating": float(r.rating),
                "label": _label_of(float(r.rating), kata.THRESHOLDS),
            }
            for r in records[offset : offset + n_train + n_validation]
        ]
        data = Dataset.from_list(rows)
        return DatasetDict(
            train=data.select(range(n_train)),
            validation=data.select(range(n_train, n_train + n_validation)),
        )

    return make
