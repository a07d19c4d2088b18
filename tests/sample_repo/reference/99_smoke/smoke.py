"""Sample solutions."""

from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)


def add(a: int, b: int) -> int:
    """Return a + b."""
    return a + b


def load_padded_tokenizer(repo_id: str) -> PreTrainedTokenizerBase:
    """The tokenizer of `repo_id`, with a pad token."""
    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    tokenizer.pad_token = tokenizer.pad_token or tokenizer.eos_token
    return tokenizer


def load_causal_lm(repo_id: str) -> PreTrainedModel:
    """The causal LM of `repo_id`."""
    return AutoModelForCausalLM.from_pretrained(repo_id)
