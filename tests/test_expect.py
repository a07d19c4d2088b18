"""`expect_error`, the one way kata tests check that learner code raises a helpful error."""

from __future__ import annotations

import pytest

from hfkatas.testing.expect import expect_error

pytestmark = pytest.mark.timeout(10)


def fail(error: BaseException):
    def call() -> None:
        raise error

    return call


def test_the_expected_error_is_returned_when_its_message_names_every_word():
    error = expect_error(
        ValueError, fail(ValueError("Repo Learner/x not found")), "fix", ("repo", "learner/x")
    )
    assert str(error) == "Repo Learner/x not found"


def test_a_message_missing_a_word_names_the_word():
    with pytest.raises(AssertionError, match="should mention 'revision'"):
        expect_error(ValueError, fail(ValueError("not found")), "fix", ("revision",))


def test_another_error_or_none_says_what_to_fix():
    with pytest.raises(
        AssertionError, match=r"expected a ValueError, got KeyError: 'x'\. Create it"
    ):
        expect_error(ValueError, fail(KeyError("x")), "Create it")
    with pytest.raises(AssertionError, match=r"nothing was raised\. Create it"):
        expect_error(ValueError, lambda: None, "Create it")


def test_the_stubs_not_implemented_error_passes_through():
    with pytest.raises(NotImplementedError):
        expect_error(ValueError, fail(NotImplementedError()), "fix")
