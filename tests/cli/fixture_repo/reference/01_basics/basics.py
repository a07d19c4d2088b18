"""Kata 01: basics (reference)."""


def add(a: int, b: int) -> int:
    """Return a + b."""
    return a + b


def shout(text: str) -> str:
    """Return `text` in upper case."""
    return text.upper()
