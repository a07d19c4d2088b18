"""Kata 02: tokens."""


def count_tokens(repo_id: str, text: str) -> int:
    """How many tokens the tokenizer of `repo_id` makes of `text` (special tokens included)."""
    # TODO 2.1
    raise NotImplementedError


def count_words(text: str) -> int:
    """How many whitespace-separated words `text` has."""
    # TODO 2.2
    raise NotImplementedError
