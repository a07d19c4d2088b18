"""Checking that learner code raises the right error, with a message that says what to fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def expect_error(error_type: type[BaseException], call: Callable[[], object], fix: str) -> Any:
    """Run `call()` and return the `error_type` it raises. Another exception, or none, fails the
    test with `fix` (what the learner should do); the stub's NotImplementedError passes through."""
    builtin = error_type.__module__ == "builtins"
    name = error_type.__name__ if builtin else f"{error_type.__module__}.{error_type.__name__}"
    try:
        call()
    except NotImplementedError:
        raise
    except error_type as error:
        return error
    except Exception as error:
        first = str(error).strip().splitlines()[0].rstrip(".") if str(error).strip() else ""
        raise AssertionError(
            f"expected a {name}, got {type(error).__name__}: {first[:160]}. {fix}"
        ) from error
    raise AssertionError(f"expected a {name}, but nothing was raised. {fix}")
