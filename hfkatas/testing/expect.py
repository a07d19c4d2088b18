"""Checking that learner code raises the right error, with a message that says what to fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def expect_error(
    error_type: type[BaseException],
    call: Callable[[], object],
    fix: str,
    mentions: tuple[str, ...] = (),
) -> Any:
    """Run `call()` and return the `error_type` it raises, whose message must name every word in
    `mentions` (case-insensitive). Another exception, none, or a message that leaves a word out
    fails the test with `fix` (what the learner should do); the stub's NotImplementedError
    passes through."""
    builtin = error_type.__module__ == "builtins"
    name = error_type.__name__ if builtin else f"{error_type.__module__}.{error_type.__name__}"
    try:
        call()
    except NotImplementedError:
        raise
    except error_type as error:
        missing = [word for word in mentions if word.lower() not in str(error).lower()]
        if missing:
            raise AssertionError(
                f"the {name} is right, but its message should mention "
                f"{', '.join(map(repr, missing))} so the reader knows what to do; it says: "
                f"{str(error)[:200]}"
            ) from error
        return error
    except Exception as error:
        first = str(error).strip().splitlines()[0].rstrip(".") if str(error).strip() else ""
        raise AssertionError(
            f"expected a {name}, got {type(error).__name__}: {first[:160]}. {fix}"
        ) from error
    raise AssertionError(f"expected a {name}, but nothing was raised. {fix}")


def value_error_naming(call: Callable[[], object], name: str, what: str) -> ValueError:
    """`call()` must raise a ValueError whose message names `name` (the argument to fix);
    `what` says what was wrong with the input, for the failure message."""
    error = expect_error(ValueError, call, f"{what}: raise a ValueError that names {name!r}")
    assert name in str(error), (
        f"the ValueError for {what} should name {name!r}, so the reader knows what to fix; "
        f"it says: {error or '(nothing)'}"
    )
    return error
