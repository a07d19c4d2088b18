"""Tasks 5.1 and 5.2: who you are on the Hub, and a private repo of your own."""

from __future__ import annotations

import inspect
import re

import pytest

TOKEN_LITERAL = re.compile(r"""["']hf_[A-Za-z0-9_]{4,}["']""")


@pytest.mark.task("5.1")
@pytest.mark.timeout(30)
def test_current_user_reads_the_token_from_the_environment(kata, hub):
    name = kata.current_user()
    assert name == hub.user, (
        f"current_user() returned {name!r}, but HF_TOKEN belongs to {hub.user!r}: ask the Hub "
        "who the token belongs to (whoami) and return the 'name'"
    )
    literals = TOKEN_LITERAL.findall(inspect.getsource(kata))
    assert not literals, (
        f"hub.py contains what looks like a token: {literals}. Never put a token in source "
        "code: the libraries read HF_TOKEN, or the token `hf auth login` saved"
    )


@pytest.mark.task("5.1")
@pytest.mark.timeout(30)
def test_current_user_follows_whichever_token_is_set(kata, local_hub, use_token):
    use_token(local_hub.other_token)
    assert kata.current_user() == local_hub.other_user, (
        "with another user's token in HF_TOKEN, current_user() should name that user: don't "
        "cache or hard-code the name, ask the Hub each time"
    )


@pytest.mark.task("5.1")
@pytest.mark.timeout(30)
def test_current_user_works_after_login(kata, local_hub, use_token):
    import huggingface_hub as hh

    use_token(None)
    hh.login(token=local_hub.write_token)
    advice = (
        "after `login()` the token lives in a file, not in HF_TOKEN: let huggingface_hub find "
        "it (call whoami() without a token argument) instead of reading os.environ yourself"
    )
    try:
        name = kata.current_user()
    except (KeyError, PermissionError) as error:
        raise AssertionError(f"current_user() raised {type(error).__name__}: {advice}") from error
    assert name == local_hub.user, advice


@pytest.mark.task("5.1")
@pytest.mark.timeout(30)
@pytest.mark.parametrize("token", [None, "hf_not_a_real_token"], ids=["missing", "invalid"])
def test_current_user_without_a_valid_token_says_how_to_log_in(
    kata, hub, use_token, expect_error, token
):
    use_token(token)
    error = expect_error(
        PermissionError,
        kata.current_user,
        "catch LocalTokenNotFoundError (no token) and HfHubHTTPError (a token the Hub refuses) "
        "and raise PermissionError(...) from them",
    )
    message = str(error)
    assert "HF_TOKEN" in message and "login" in message, (
        f"the PermissionError says {message!r}: tell the learner to set HF_TOKEN or run "
        "`hf auth login`"
    )


@pytest.mark.task("5.2")
@pytest.mark.timeout(30)
@pytest.mark.parametrize("repo_type", ["model", "dataset"])
def test_create_private_repo_makes_a_private_repo_in_your_namespace(
    kata, hub, hub_api, repo_name, repo_type
):
    repo_id = kata.create_private_repo(repo_name, repo_type=repo_type)
    assert repo_id == f"{hub.user}/{repo_name}", (
        f"create_private_repo returned {repo_id!r}: return the full repo id 'user/name' the Hub "
        "gave the new repo"
    )
    assert hub_api.repo_exists(repo_id, repo_type=repo_type), (
        f"the Hub has no {repo_type} repo {repo_id}: create it with repo_type={repo_type!r}"
    )
    assert hub_api.repo_info(repo_id, repo_type=repo_type).private, (
        f"{repo_id} is public on the Hub: pass private=True when you create it"
    )


@pytest.mark.task("5.2")
@pytest.mark.timeout(30)
def test_a_private_repo_is_invisible_to_others(kata, local_hub, repo_name):
    import huggingface_hub as hh

    repo_id = kata.create_private_repo(repo_name)
    for token in (local_hub.other_token, False):
        api = hh.HfApi(endpoint=local_hub.url, token=token)
        assert not api.repo_exists(repo_id), (
            f"{repo_id} can be seen {'by another user' if token else 'without a token'}: "
            "create it with private=True"
        )


@pytest.mark.task("5.2")
@pytest.mark.timeout(30)
def test_create_private_repo_twice_keeps_the_repo(kata, hub_api, repo_name):
    repo_id = kata.create_private_repo(repo_name)
    hub_api.upload_file(path_or_fileobj=b"kept", path_in_repo="notes.txt", repo_id=repo_id)
    again = kata.create_private_repo(repo_name)
    assert again == repo_id, "the second call should return the same repo id"
    assert "notes.txt" in hub_api.list_repo_files(repo_id), (
        "creating an existing repo again lost its files: pass exist_ok=True, so an existing "
        "repo is simply reused"
    )
