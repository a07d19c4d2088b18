"""Create, upload, commit, resolve and download with `huggingface_hub` itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfkatas.hub.testing import HubHandle

pytestmark = pytest.mark.timeout(60)


def test_upload_file_and_download(hub: HubHandle, repo_name: str, tmp_path: Path) -> None:
    import huggingface_hub as hh

    url = hh.create_repo(repo_name)
    assert url.repo_id == f"learner/{repo_name}"
    info = hh.upload_file(
        path_or_fileobj=b"hello hub\n",
        path_in_repo="notes/hello.txt",
        repo_id=url.repo_id,
        commit_message="add hello",
    )
    assert info.oid and info.commit_message == "add hello"
    local = hh.hf_hub_download(url.repo_id, "notes/hello.txt")
    assert Path(local).read_bytes() == b"hello hub\n"
    assert sorted(hh.list_repo_files(url.repo_id)) == [".gitattributes", "notes/hello.txt"]


def test_create_repo_exist_ok_and_conflict(hub: HubHandle, repo_name: str) -> None:
    import huggingface_hub as hh

    first = hh.create_repo(repo_name)
    again = hh.create_repo(repo_name, exist_ok=True)
    assert again.repo_id == first.repo_id
    with pytest.raises(hh.errors.HfHubHTTPError) as conflict:
        hh.create_repo(repo_name)
    assert conflict.value.response.status_code == 409
    assert len(hh.list_repo_commits(first.repo_id)) == 1, "exist_ok must not touch the repo"


def test_upload_folder_and_snapshot_download(
    hub: HubHandle, repo_name: str, tmp_path: Path
) -> None:
    import huggingface_hub as hh

    source = tmp_path / "src"
    (source / "sub").mkdir(parents=True)
    (source / "a.txt").write_text("a")
    (source / "sub" / "b.json").write_text('{"b": 1}')
    (source / "weights.bin").write_bytes(bytes(range(256)) * 8)
    repo_id = hh.create_repo(repo_name).repo_id
    hh.upload_folder(folder_path=source, repo_id=repo_id, commit_message="folder")

    snapshot = Path(hh.snapshot_download(repo_id, local_dir=tmp_path / "snap"))
    for relative in ("a.txt", "sub/b.json", "weights.bin"):
        assert (snapshot / relative).read_bytes() == (source / relative).read_bytes(), relative
    tree = {f.path: f for f in hh.list_repo_tree(repo_id, recursive=True)}
    assert isinstance(tree["sub"], hh.hf_api.RepoFolder)
    assert tree["weights.bin"].lfs.size == 2048
    assert [f.path for f in hh.list_repo_tree(repo_id, path_in_repo="sub")] == ["sub/b.json"]


def test_delete_file_and_folder(hub: HubHandle, repo_name: str) -> None:
    import huggingface_hub as hh

    repo_id = hh.create_repo(repo_name).repo_id
    operations = [hh.CommitOperationAdd(path, b"x") for path in ("keep.txt", "d/1.txt", "d/2.txt")]
    hh.create_commit(repo_id, operations, commit_message="add")
    hh.delete_folder("d", repo_id=repo_id)
    assert sorted(hh.list_repo_files(repo_id)) == [".gitattributes", "keep.txt"]
    hh.delete_file("keep.txt", repo_id=repo_id)
    assert hh.list_repo_files(repo_id) == [".gitattributes"]
    with pytest.raises(hh.errors.EntryNotFoundError):
        hh.delete_file("keep.txt", repo_id=repo_id)


def test_range_request(hub: HubHandle, repo_name: str) -> None:
    import httpx2
    import huggingface_hub as hh

    repo_id = hh.create_repo(repo_name).repo_id
    hh.upload_file(path_or_fileobj=b"0123456789", path_in_repo="digits.txt", repo_id=repo_id)
    url = hh.hf_hub_url(repo_id, "digits.txt")
    response = httpx2.get(url, headers={"Range": "bytes=2-4"})
    assert response.status_code == 206 and response.content == b"234"
    assert response.headers["X-Repo-Commit"] == hh.model_info(repo_id).sha


def test_model_card_load(hub: HubHandle, repo_name: str) -> None:
    import huggingface_hub as hh

    repo_id = hh.create_repo(repo_name).repo_id
    card = hh.ModelCard.from_template(
        hh.ModelCardData(license="apache-2.0", language="en"),
        model_description="A tiny test model.",
    )
    card.push_to_hub(repo_id)
    loaded = hh.ModelCard.load(repo_id)
    assert loaded.data.license == "apache-2.0"
    assert "A tiny test model." in loaded.text


def test_whoami(hub: HubHandle) -> None:
    import huggingface_hub as hh

    me = hh.whoami()
    assert me["name"] == hub.user and me["auth"]["accessToken"]["role"] == "write"
    assert hh.whoami(token=hub.read_token)["auth"]["accessToken"]["role"] == "read"
    with pytest.raises(hh.errors.HfHubHTTPError) as invalid:
        hh.whoami(token="hf_not_a_token")
    assert invalid.value.response.status_code == 401


def test_tree_and_paths_info_expand_to_last_commits(hub: HubHandle, repo_name: str) -> None:
    import huggingface_hub as hh

    repo_id = hh.create_repo(repo_name).repo_id
    first = hh.create_commit(
        repo_id,
        [hh.CommitOperationAdd("d/a.txt", b"a"), hh.CommitOperationAdd("b.txt", b"b")],
        commit_message="first",
    )
    second = hh.upload_file(
        path_or_fileobj=b"b2", path_in_repo="b.txt", repo_id=repo_id, commit_message="second"
    )
    tree = {f.path: f.last_commit for f in hh.list_repo_tree(repo_id, recursive=True, expand=True)}
    assert (tree["d"].oid, tree["d/a.txt"].oid, tree["b.txt"].oid) == (
        first.oid,
        first.oid,
        second.oid,
    )
    assert tree["b.txt"].title == "second"
    infos = hh.get_paths_info(repo_id, ["d/a.txt", "missing"], expand=True)
    assert [(i.path, i.last_commit.oid) for i in infos] == [("d/a.txt", first.oid)]
