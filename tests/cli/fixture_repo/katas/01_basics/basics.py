"""Kata 01: basics."""


def add(a: int, b: int) -> int:
    """Return a + b."""
    # TODO 1.1
    raise NotImplementedError


def shout(text: str) -> str:
    """Return `text` in upper case."""
    # TODO 1.2
    raise NotImplementedError
