"""Contract tests with the real client for repo management: delete, settings, branches, tags,
listing, move, auth-check and copies of LFS files."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfkatas.hub.testing import HubHandle

pytestmark = pytest.mark.timeout(60)


def status_of(call) -> int:  # type: ignore[no-untyped-def]
    """The HTTP status of the HfHubHTTPError `call()` raises."""
    import huggingface_hub as hh

    with pytest.raises(hh.errors.HfHubHTTPError) as error:
        call()
    return error.value.response.status_code


def test_delete_repo_and_start_over(hub: HubHandle, repo_name: str) -> None:
    """Rejects: a delete that leaves the repo readable, a `missing_ok` that still raises, and a
    re-created repo that can reach the deleted one's commits by sha."""
    import huggingface_hub as hh

    repo_id = hh.create_repo(repo_name, private=True).repo_id
    old = hh.upload_file(path_or_fileobj=b"v1", path_in_repo="a.txt", repo_id=repo_id).oid
    hh.delete_repo(repo_id)
    with pytest.raises(hh.errors.RepositoryNotFoundError):
        hh.model_info(repo_id)
    with pytest.raises(hh.errors.RepositoryNotFoundError):
        hh.delete_repo(repo_id)
    hh.delete_repo(repo_id, missing_ok=True)

    assert hh.create_repo(repo_name).repo_id == repo_id
    assert hh.list_repo_files(repo_id) == [".gitattributes"]
    with pytest.raises(hh.errors.RevisionNotFoundError):
        hh.model_info(repo_id, revision=old)


def test_delete_dataset_repo_only_by_its_owner(hub: HubHandle, repo_name: str) -> None:
    import huggingface_hub as hh

    public = hh.create_repo(repo_name, repo_type="dataset").repo_id
    private = hh.create_repo(repo_name + "-p", repo_type="dataset", private=True).repo_id
    assert (
        status_of(lambda: hh.delete_repo(public, repo_type="dataset", token=hub.other_token)) == 403
    )
    with pytest.raises(hh.errors.RepositoryNotFoundError):
        hh.delete_repo(private, repo_type="dataset", token=hub.other_token)
    assert (
        status_of(lambda: hh.delete_repo(public, repo_type="dataset", token=hub.read_token)) == 403
    )
    assert status_of(lambda: hh.delete_repo(public, repo_type="dataset", token=False)) == 401
    hh.delete_repo(public, repo_type="dataset")
    assert hh.dataset_info(private).private is True, "only the named repo is gone"
    with pytest.raises(hh.errors.RepositoryNotFoundError):
        hh.dataset_info(public)


def test_update_repo_settings_private_and_public(hub: HubHandle, repo_name: str) -> None:
    import huggingface_hub as hh

    repo_id = hh.create_repo(repo_name).repo_id
    hh.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=repo_id)
    hh.update_repo_settings(repo_id, private=True)
    assert hh.model_info(repo_id).private is True
    with pytest.raises(hh.errors.RepositoryNotFoundError):
        hh.model_info(repo_id, token=False)
    with pytest.raises(hh.errors.RepositoryNotFoundError):
        hh.update_repo_settings(repo_id, private=False, token=hub.other_token)
    hh.update_repo_settings(repo_id, visibility="public")
    assert hh.model_info(repo_id, token=False).private is False
    assert Path(hh.hf_hub_download(repo_id, "x.txt", token=False)).read_bytes() == b"x"
    assert (
        status_of(lambda: hh.update_repo_settings(repo_id, private=True, token=hub.read_token))
        == 403
    )


def test_gated_repos_are_not_served(hub: HubHandle, repo_name: str) -> None:
    import huggingface_hub as hh

    repo_id = hh.create_repo(repo_name).repo_id
    hh.update_repo_settings(repo_id, gated=False)
    assert status_of(lambda: hh.update_repo_settings(repo_id, gated="auto")) == 501
    assert hub.unknown_routes.pop().endswith("(settings gated=auto)")


def test_delete_branch(hub: HubHandle, repo_name: str) -> None:
    import huggingface_hub as hh

    repo_id = hh.create_repo(repo_name).repo_id
    hh.create_branch(repo_id, branch="dev")
    hh.upload_file(path_or_fileobj=b"d", path_in_repo="d.txt", repo_id=repo_id, revision="dev")
    hh.delete_branch(repo_id, branch="dev")
    assert [b.name for b in hh.list_repo_refs(repo_id).branches] == ["main"]
    with pytest.raises(hh.errors.RevisionNotFoundError):
        hh.hf_hub_download(repo_id, "d.txt", revision="dev")
    with pytest.raises(hh.errors.RevisionNotFoundError):
        hh.delete_branch(repo_id, branch="dev")
    assert status_of(lambda: hh.delete_branch(repo_id, branch="main")) == 403
    assert status_of(lambda: hh.delete_branch(repo_id, branch="main", token=hub.other_token)) == 403
    hh.create_branch(repo_id, branch="dev")
    assert hh.list_repo_files(repo_id, revision="dev") == [".gitattributes"], "a fresh branch"


def test_tags_resolve_and_delete(hub: HubHandle, repo_name: str) -> None:
    """Rejects: tags listed but not resolved (downloads, infos and trees by tag name)."""
    import huggingface_hub as hh

    repo_id = hh.create_repo(repo_name).repo_id
    first = hh.upload_file(path_or_fileobj=b"v1", path_in_repo="f.txt", repo_id=repo_id).oid
    hh.create_tag(repo_id, tag="v1.0", tag_message="first release")
    hh.upload_file(path_or_fileobj=b"v2", path_in_repo="f.txt", repo_id=repo_id)

    assert Path(hh.hf_hub_download(repo_id, "f.txt", revision="v1.0")).read_bytes() == b"v1"
    assert hh.model_info(repo_id, revision="v1.0").sha == first
    assert Path(hh.hf_hub_download(repo_id, "f.txt")).read_bytes() == b"v2"
    refs = hh.list_repo_refs(repo_id)
    assert [(t.name, t.ref, t.target_commit) for t in refs.tags] == [
        ("v1.0", "refs/tags/v1.0", first)
    ]

    assert status_of(lambda: hh.create_tag(repo_id, tag="v1.0")) == 409
    hh.create_tag(repo_id, tag="v1.0", exist_ok=True)
    assert status_of(lambda: hh.create_tag(repo_id, tag="main")) == 409, "a branch has that name"
    assert status_of(lambda: hh.create_branch(repo_id, branch="v1.0")) == 409, "a tag has it"
    hh.create_tag(repo_id, tag="old", revision=first)
    assert hh.model_info(repo_id, revision="old").sha == first
    assert (
        status_of(
            lambda: hh.upload_file(
                path_or_fileobj=b"x", path_in_repo="x", repo_id=repo_id, revision="v1.0"
            )
        )
        == 404
    ), "commits go to branches only"

    hh.delete_tag(repo_id, tag="v1.0")
    with pytest.raises(hh.errors.RevisionNotFoundError):
        hh.model_info(repo_id, revision="v1.0")
    with pytest.raises(hh.errors.RevisionNotFoundError):
        hh.delete_tag(repo_id, tag="v1.0")
    assert status_of(lambda: hh.delete_tag(repo_id, tag="old", token=hub.read_token)) == 403


def test_list_models_and_datasets_by_author_and_search(hub: HubHandle, repo_name: str) -> None:
    """Rejects: listing someone else's private repos, and ignoring `author` or `search`."""
    import huggingface_hub as hh

    mine = hh.create_repo(repo_name + "-mine").repo_id
    mine_private = hh.create_repo(repo_name + "-secret", private=True).repo_id
    theirs = hh.create_repo(repo_name + "-theirs", token=hub.other_token).repo_id
    theirs_private = hh.create_repo(
        repo_name + "-hidden", private=True, token=hub.other_token
    ).repo_id
    dataset = hh.create_repo(repo_name + "-data", repo_type="dataset").repo_id

    def ids(token: object = None, **filters: object) -> set[str]:
        return {m.id for m in hh.list_models(search=repo_name, token=token, **filters)}

    assert ids() == {mine, mine_private, theirs}
    assert ids(token=hub.other_token) == {mine, theirs, theirs_private}
    assert ids(token=False) == {mine, theirs}
    assert ids(author=hub.user) == {mine, mine_private}
    assert ids(author=hub.other_user, token=False) == {theirs}
    assert {m.id for m in hh.list_models(search=repo_name + "-MINE")} == {mine}, "case-insensitive"
    assert {d.id for d in hh.list_datasets(search=repo_name)} == {dataset}
    assert {d.id for d in hh.list_datasets(author=hub.other_user, search=repo_name)} == set()
    listed = next(iter(hh.list_models(search=repo_name + "-secret")))
    assert listed.private is True and listed.author == hub.user
    assert len(list(hh.list_models(search=repo_name, limit=2))) == 2
    assert [m.id for m in hh.list_models(search=repo_name)] == sorted(ids()), "sorted by id"


def test_move_repo_keeps_history_and_files(hub: HubHandle, repo_name: str) -> None:
    import huggingface_hub as hh

    repo_id = hh.create_repo(repo_name, private=True).repo_id
    head = hh.upload_file(path_or_fileobj=b"w" * 100, path_in_repo="w.bin", repo_id=repo_id).oid
    hh.create_tag(repo_id, tag="v1")
    new_id = f"{hub.user}/{repo_name}-moved"
    hh.move_repo(repo_id, new_id)

    with pytest.raises(hh.errors.RepositoryNotFoundError):
        hh.model_info(repo_id)
    info = hh.model_info(new_id)
    assert (info.sha, info.private) == (head, True)
    assert Path(hh.hf_hub_download(new_id, "w.bin", revision="v1")).read_bytes() == b"w" * 100
    assert len(hh.list_repo_commits(new_id)) == 2
    hh.upload_file(path_or_fileobj=b"more", path_in_repo="more.txt", repo_id=new_id)

    other = hh.create_repo(repo_name + "-taken").repo_id
    assert status_of(lambda: hh.move_repo(new_id, other)) == 409
    assert status_of(lambda: hh.move_repo(new_id, new_id)) == 409, "onto itself (no deadlock)"
    assert status_of(lambda: hh.move_repo(new_id, f"{hub.other_user}/{repo_name}")) == 403
    with pytest.raises(hh.errors.RepositoryNotFoundError):
        hh.move_repo(new_id, f"{hub.other_user}/x", token=hub.other_token)
    assert hh.model_info(new_id).private is True, "refused moves change nothing"


def test_auth_check(hub: HubHandle, repo_name: str) -> None:
    import huggingface_hub as hh

    public = hh.create_repo(repo_name).repo_id
    private = hh.create_repo(repo_name + "-p", private=True).repo_id
    hh.auth_check(public)
    hh.auth_check(private, write=True)
    hh.auth_check(public, token=False)
    hh.auth_check(private, token=hub.read_token)
    with pytest.raises(hh.errors.RepositoryNotFoundError):
        hh.auth_check(private, token=hub.other_token)
    with pytest.raises(hh.errors.RepositoryNotFoundError):
        hh.auth_check(f"{hub.user}/{repo_name}-missing")
    assert status_of(lambda: hh.auth_check(public, write=True, token=hub.other_token)) == 403
    assert status_of(lambda: hh.auth_check(public, write=True, token=False)) == 401
    assert status_of(lambda: hh.auth_check(private, write=True, token=hub.read_token)) == 403


def test_copy_lfs_and_regular_files(hub: HubHandle, repo_name: str) -> None:
    """Rejects: requiring `size` on an `lfsFile` line (a copy omits it)."""
    import huggingface_hub as hh

    repo_id = hh.create_repo(repo_name).repo_id
    weights = bytes(range(256)) * 4
    hh.create_commit(
        repo_id,
        [hh.CommitOperationAdd("w.bin", weights), hh.CommitOperationAdd("n.txt", b"note")],
        commit_message="add",
    )
    hh.create_commit(
        repo_id,
        [
            hh.CommitOperationCopy("w.bin", "copies/w.bin"),
            hh.CommitOperationCopy("n.txt", "copies/n.txt"),
            hh.CommitOperationCopy("w.bin", "renamed.bin"),
            hh.CommitOperationDelete("w.bin"),
        ],
        commit_message="copy and rename",
    )
    files = {f.path: f for f in hh.list_repo_tree(repo_id, recursive=True) if hasattr(f, "size")}
    assert set(files) == {".gitattributes", "n.txt", "copies/w.bin", "copies/n.txt", "renamed.bin"}
    assert files["copies/w.bin"].lfs.size == len(weights) == files["renamed.bin"].size
    for path, content in [
        ("copies/w.bin", weights),
        ("renamed.bin", weights),
        ("copies/n.txt", b"note"),
    ]:
        assert Path(hh.hf_hub_download(repo_id, path)).read_bytes() == content
