"""Kata 02: tokens (reference)."""

from transformers import AutoTokenizer


def count_tokens(repo_id: str, text: str) -> int:
    """How many tokens the tokenizer of `repo_id` makes of `text` (special tokens included)."""
    return len(AutoTokenizer.from_pretrained(repo_id)(text)["input_ids"])


def count_words(text: str) -> int:
    """How many whitespace-separated words `text` has."""
    return len(text.split())
