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
    info = hh.upload_file(path_or_fileobj=b"hello hub\n", path_in_repo="notes/hello.txt",
                          repo_id=url.repo_id, commit_message="add hello")
    assert info.oid and info.commit_message == "add hello"
    local = hh.hf_hub_download(url.repo_id, "notes/hello.txt")
    assert Path(local).read_bytes() == b"hello hub\n"
    assert sorted(hh.list_repo_files(url.repo_id)) == [".gitattributes", "notes/hello.txt"]
