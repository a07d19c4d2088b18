"""Task 5.10: "repo not found" and "not authorised" as messages that say what to do."""

from __future__ import annotations

import pytest


@pytest.fixture
def model_folder(tmp_path, model, tokenizer):  # type: ignore[no-untyped-def]
    folder = tmp_path / "model"
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def _check_message(error: BaseException, *words: str) -> None:
    text = str(error)
    missing = [word for word in words if word not in text]
    assert not missing, (
        f"the {type(error).__name__} says {text!r}: name {', '.join(map(repr, missing))} so the "
        "learner knows which repo is wrong and what to do"
    )


@pytest.mark.task("5.10")
@pytest.mark.timeout(60)
def test_upload_to_a_missing_repo_is_a_value_error(kata, hub_api, repo_id, model_folder):
    with pytest.raises(ValueError) as raised:
        kata.upload_model_folder(model_folder, repo_id, "first upload")
    _check_message(raised.value, repo_id, "create")
    assert not hub_api.repo_exists(repo_id), "the failed upload should not create the repo"


@pytest.mark.task("5.10")
@pytest.mark.timeout(60)
def test_upload_with_a_read_token_is_a_permission_error(
    kata, local_hub, hub_api, repo_id, model_folder, use_token
):
    hub_api.create_repo(repo_id, private=True)
    use_token(local_hub.read_token)
    with pytest.raises(PermissionError) as raised:
        kata.upload_model_folder(model_folder, repo_id, "upload with a read token")
    _check_message(raised.value, repo_id, "write")
    assert len(hub_api.list_repo_files(repo_id)) == 1, "the refused upload should change nothing"


@pytest.mark.task("5.10")
@pytest.mark.timeout(60)
def test_upload_to_someone_elses_repo_is_a_permission_error(
    kata, local_hub, hub_api, repo_id, model_folder, use_token
):
    hub_api.create_repo(repo_id)  # public: the other user can see it, not write to it
    use_token(local_hub.other_token)
    with pytest.raises(PermissionError) as raised:
        kata.upload_model_folder(model_folder, repo_id, "upload as another user")
    _check_message(raised.value, repo_id, "token")


@pytest.mark.task("5.10")
@pytest.mark.timeout(60)
def test_loading_a_missing_repo_is_a_value_error(kata, hub, repo_id):
    with pytest.raises(ValueError) as raised:
        kata.load_model(repo_id)
    _check_message(raised.value, repo_id)


@pytest.mark.task("5.10")
@pytest.mark.timeout(60)
def test_loading_someone_elses_private_repo_is_a_value_error(
    kata, local_hub, pushed_model, use_token
):
    use_token(local_hub.other_token)
    with pytest.raises(ValueError) as raised:
        kata.load_model(pushed_model)
    _check_message(raised.value, pushed_model, "private")


@pytest.mark.task("5.10")
@pytest.mark.timeout(60)
def test_loading_a_missing_revision_is_a_value_error(kata, pushed_model):
    with pytest.raises(ValueError) as raised:
        kata.load_model(pushed_model, revision="does-not-exist")
    _check_message(raised.value, pushed_model, "does-not-exist")
