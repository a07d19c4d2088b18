"""Tokens, private repos, write permissions and the error types the clients raise."""

from __future__ import annotations

import pytest

from hfkatas.hub.testing import HubHandle

pytestmark = pytest.mark.timeout(60)


def test_private_repo_is_hidden_from_everyone_but_its_owner(hub: HubHandle, repo_name: str) -> None:
    import huggingface_hub as hh

    repo_id = hh.create_repo(repo_name, private=True).repo_id
    hh.upload_file(path_or_fileobj=b"secret", path_in_repo="s.txt", repo_id=repo_id)
    assert hh.model_info(repo_id).private is True
    assert hh.model_info(repo_id, token=hub.read_token).private is True

    for token in (False, hub.other_token):
        with pytest.raises(hh.errors.RepositoryNotFoundError):
            hh.model_info(repo_id, token=token)
        with pytest.raises(hh.errors.RepositoryNotFoundError):
            hh.hf_hub_download(repo_id, "s.txt", token=token)
        with pytest.raises(hh.errors.RepositoryNotFoundError):
            hh.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=repo_id, token=token)


def test_public_repo_is_readable_anonymously_but_not_writable(
    hub: HubHandle, repo_name: str
) -> None:
    import huggingface_hub as hh

    repo_id = hh.create_repo(repo_name).repo_id
    hh.upload_file(path_or_fileobj=b"public", path_in_repo="p.txt", repo_id=repo_id)
    assert hh.list_repo_files(repo_id, token=False) == [".gitattributes", "p.txt"]

    denied = {False: 401, hub.read_token: 403, hub.other_token: 403}
    for token, status in denied.items():
        with pytest.raises(hh.errors.HfHubHTTPError) as error:
            hh.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=repo_id, token=token)
        assert error.value.response.status_code == status, token
    assert hh.list_repo_files(repo_id) == [".gitattributes", "p.txt"], "no denied write landed"


def test_create_repo_needs_a_write_token_for_the_namespace(hub: HubHandle, repo_name: str) -> None:
    import huggingface_hub as hh

    for repo_id, token, status in [
        (repo_name, False, 401),
        (repo_name, hub.read_token, 403),
        (f"{hub.other_user}/{repo_name}", hub.write_token, 403),
    ]:
        with pytest.raises(hh.errors.HfHubHTTPError) as error:
            hh.create_repo(repo_id, token=token)
        assert error.value.response.status_code == status, (repo_id, token)
    assert (
        hh.create_repo(repo_name, token=hub.other_token).repo_id == f"{hub.other_user}/{repo_name}"
    )


def test_missing_repo_revision_and_file(hub: HubHandle, repo_name: str) -> None:
    import huggingface_hub as hh

    with pytest.raises(hh.errors.RepositoryNotFoundError):
        hh.model_info(f"{hub.user}/{repo_name}")
    with pytest.raises(hh.errors.RepositoryNotFoundError):
        hh.dataset_info(f"{hub.user}/{repo_name}")
    repo_id = hh.create_repo(repo_name).repo_id
    with pytest.raises(hh.errors.RevisionNotFoundError):
        hh.hf_hub_download(repo_id, ".gitattributes", revision="no-such-branch")
    with pytest.raises(hh.errors.RevisionNotFoundError):
        hh.model_info(repo_id, revision="0" * 40)
    with pytest.raises(hh.errors.EntryNotFoundError):
        hh.hf_hub_download(repo_id, "missing.txt")
    assert not hh.file_exists(repo_id, "missing.txt")
    assert hh.file_exists(repo_id, ".gitattributes")


def test_stale_parent_commit_is_refused(hub: HubHandle, repo_name: str) -> None:
    import huggingface_hub as hh

    repo_id = hh.create_repo(repo_name).repo_id
    base = hh.model_info(repo_id).sha
    hh.upload_file(
        path_or_fileobj=b"1", path_in_repo="one.txt", repo_id=repo_id, parent_commit=base
    )
    with pytest.raises(hh.errors.HfHubHTTPError) as stale:
        hh.upload_file(
            path_or_fileobj=b"2", path_in_repo="two.txt", repo_id=repo_id, parent_commit=base
        )
    assert stale.value.response.status_code == 412
    assert sorted(hh.list_repo_files(repo_id)) == [".gitattributes", "one.txt"]


@pytest.mark.timeout(120)
def test_concurrent_commits_are_both_kept(hub: HubHandle, repo_name: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    import huggingface_hub as hh

    repo_id = hh.create_repo(repo_name).repo_id
    paths = [f"file-{i}.txt" for i in range(6)]

    def push(path: str) -> str:
        return hh.upload_file(path_or_fileobj=path.encode(), path_in_repo=path, repo_id=repo_id).oid

    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        oids = list(pool.map(push, paths))
    assert sorted(hh.list_repo_files(repo_id)) == [".gitattributes", *paths]
    history = [c.commit_id for c in hh.list_repo_commits(repo_id)]
    assert sorted(history[:-1]) == sorted(oids), "every commit is in the linear history"
