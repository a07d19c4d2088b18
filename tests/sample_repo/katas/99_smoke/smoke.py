"""Sample stubs."""

from transformers import (  # noqa: F401  (everything this kata needs is imported for you)
    AutoModelForCausalLM,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)


def add(a: int, b: int) -> int:
    """Return a + b."""
    # TODO 99.1
    raise NotImplementedError


def load_padded_tokenizer(repo_id: str) -> PreTrainedTokenizerBase:
    """The tokenizer of `repo_id`, with a pad token."""
    # TODO 99.2
    raise NotImplementedError


def load_causal_lm(repo_id: str) -> PreTrainedModel:
    """The causal LM of `repo_id`."""
    # TODO 99.3
    raise NotImplementedError
