"""The `katas` command: the learner's way through the course (see docs/cli.md)."""

from hfkatas.cli.app import main

__all__ = ["main"]
