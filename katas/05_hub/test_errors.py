"""Task 5.10: "repo not found" and "not authorised" as messages that say what to do."""

from __future__ import annotations

import pytest

UPLOAD_FIX = (
    "Catch the Hub's error in upload_model_folder: RepositoryNotFoundError becomes a ValueError, "
    "an HfHubHTTPError with status 401 or 403 a PermissionError (raise ... from error)"
)
LOAD_FIX = (
    "from_pretrained hides the Hub's error in an OSError: ask the Hub first "
    "(model_info(repo_id, revision=revision)) and turn RepositoryNotFoundError and "
    "RevisionNotFoundError into a ValueError (raise ... from error)"
)


@pytest.fixture
def model_folder(tmp_path, model, tokenizer):  # type: ignore[no-untyped-def]
    folder = tmp_path / "model"
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.mark.task("5.10")
@pytest.mark.timeout(60)
def test_upload_to_a_missing_repo_is_a_value_error(
    kata, hub_api, repo_id, model_folder, expect_error
):
    expect_error(
        ValueError,
        lambda: kata.upload_model_folder(model_folder, repo_id, "first upload"),
        UPLOAD_FIX,
        mentions=(repo_id, "create"),  # name the repo and say to create it first
    )
    assert not hub_api.repo_exists(repo_id), "the failed upload should not create the repo"


@pytest.mark.task("5.10")
@pytest.mark.timeout(60)
def test_upload_with_a_read_token_is_a_permission_error(
    kata, local_hub, hub_api, repo_id, model_folder, use_token, expect_error
):
    hub_api.create_repo(repo_id, private=True)
    use_token(local_hub.read_token)
    expect_error(
        PermissionError,
        lambda: kata.upload_model_folder(model_folder, repo_id, "upload with a read token"),
        UPLOAD_FIX,
        mentions=(repo_id, "write"),  # name the repo and say it takes a token with the write role
    )
    assert len(hub_api.list_repo_files(repo_id)) == 1, "the refused upload should change nothing"


@pytest.mark.task("5.10")
@pytest.mark.timeout(60)
def test_upload_to_someone_elses_repo_is_a_permission_error(
    kata, local_hub, hub_api, repo_id, model_folder, use_token, expect_error
):
    hub_api.create_repo(repo_id)  # public: the other user can see it, not write to it
    use_token(local_hub.other_token)
    expect_error(
        PermissionError,
        lambda: kata.upload_model_folder(model_folder, repo_id, "upload as another user"),
        UPLOAD_FIX,
        mentions=(repo_id, "token"),  # name the repo and say which token may write to it
    )


@pytest.mark.task("5.10")
@pytest.mark.timeout(60)
def test_loading_a_missing_repo_is_a_value_error(kata, hub, repo_id, expect_error):
    expect_error(
        ValueError,
        lambda: kata.load_model(repo_id),
        LOAD_FIX,
        mentions=(repo_id,),  # name the repo that was not found
    )


@pytest.mark.task("5.10")
@pytest.mark.timeout(60)
def test_loading_someone_elses_private_repo_is_a_value_error(
    kata, local_hub, pushed_model, use_token, expect_error
):
    use_token(local_hub.other_token)
    expect_error(
        ValueError,
        lambda: kata.load_model(pushed_model),
        LOAD_FIX,
        # name the repo and say it may be private (visible only with its owner's token)
        mentions=(pushed_model, "private"),
    )


@pytest.mark.task("5.10")
@pytest.mark.timeout(60)
def test_loading_a_missing_revision_is_a_value_error(kata, pushed_model, expect_error):
    expect_error(
        ValueError,
        lambda: kata.load_model(pushed_model, revision="does-not-exist"),
        LOAD_FIX,
        mentions=(pushed_model, "does-not-exist"),  # name the repo and the revision it lacks
    )
