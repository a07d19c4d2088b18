"""The exit statuses of `katas` (documented in docs/cli.md)."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    """What a `katas` command's exit status means."""

    OK = 0  # done: every task passes, the doctor found nothing wrong, the reset happened
    NOT_YET = 1  # a task fails, the doctor found a problem, or the solution is still locked
    USAGE = 2  # bad arguments: an unknown command, kata or task
    DECLINED = 3  # a reset was not confirmed, so nothing changed
    BROKEN = 4  # the tests could not run at all (collection error, crashed worker)
    INTERRUPTED = 130  # Ctrl-C


class CliError(Exception):
    """A problem the learner can fix; printed as one message, with `code` as exit status."""

    def __init__(self, message: str, code: Exit = Exit.USAGE) -> None:
        super().__init__(message)
        self.code = code
