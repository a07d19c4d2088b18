"""The Hub against its own users: oids as paths, blobs of other repos, tokens, limits on refs."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest

from hfkatas.hub.blobs import BlobStore
from hfkatas.hub.errors import HubError
from hfkatas.hub.testing import HubHandle

pytestmark = pytest.mark.timeout(60)
RawCommit = Callable[..., httpx2.Response]


def lfs_line(path: str, oid: str, size: int) -> dict:
    """An `lfsFile` commit line."""
    return {"key": "lfsFile", "value": {"path": path, "algo": "sha256", "oid": oid, "size": size}}


def batch(client: httpx2.Client, repo_id: str, oid: str, size: int) -> dict:
    """The LFS batch answer for one object."""
    response = client.post(
        f"/{repo_id}.git/info/lfs/objects/batch",
        json={"operation": "upload", "objects": [{"oid": oid, "size": size}]},
    )
    assert response.status_code == 200, response.text
    return response.json()["objects"][0]


@pytest.fixture
def secret_file(hub: HubHandle) -> Path:
    """A file outside the Hub's data folder, next to it, that no request may ever serve."""
    path = hub.data_dir.parent / "outside-secret.txt"
    path.write_bytes(b"the canary outside the data folder")
    return path


def oids_aiming_at(secret: Path, data_dir: Path) -> list[str]:
    """Oids a careless server would turn into the path of `secret` or into another repo's files."""
    relative = os.path.relpath(secret, data_dir / "blobs" / "xx")
    return [
        "xx/" + str(secret),  # the blob store joins oid[:2] and oid[2:]: an absolute path wins
        "xx" + relative,  # ../.. from blobs/xx
        "./../repos/models/learner",
        "../" * 8 + "etc/passwd",
        hashlib.sha256(b"x").hexdigest().upper(),  # hex, but not lowercase
        hashlib.sha256(b"x").hexdigest()[:63] + "/",
    ]


def test_lfs_oids_that_are_paths_are_refused(
    client: httpx2.Client, raw_commit: RawCommit, repo_id: str, hub: HubHandle, secret_file: Path
) -> None:
    """Rejects: an oid used as `blobs/oid[:2]/oid[2:]` unchecked (reads any file on the disk)."""
    for oid in oids_aiming_at(secret_file, hub.data_dir):
        response = raw_commit(repo_id, lfs_line("x.bin", oid, secret_file.stat().st_size))
        assert response.status_code == 400, (oid, response.text)
        assert "oid" in response.json()["error"]
    anonymous = httpx2.get(f"{hub.url}/{repo_id}/resolve/main/x.bin")
    assert anonymous.status_code == 404 and b"canary" not in anonymous.content


def test_blob_store_keeps_every_path_inside_itself(tmp_path: Path) -> None:
    """Rejects: validating oids only in the routes. The store checks them itself, and a resolved
    path (through a planted symlink) must still lie inside it."""
    store = BlobStore(tmp_path / "data")
    for oid in ["../" * 4 + "etc/passwd", "a" * 63, "A" * 64, "g" * 64, "a" * 64 + "\0"]:
        with pytest.raises(HubError) as refused:
            store.path(oid)
        assert refused.value.status == 400, oid
    outside = tmp_path / "outside"
    outside.mkdir()
    (store.root / "ab").symlink_to(outside, target_is_directory=True)
    with pytest.raises(HubError):
        store.path("ab" + "0" * 62)
    assert store.path("cd" + "0" * 62).parent.parent == store.root


def test_private_blob_cannot_be_attached_by_another_user(
    hub: HubHandle, repo_name: str, raw_commit: RawCommit
) -> None:
    """Rejects: trusting any stored blob in an `lfsFile` line, and a batch answer that says
    "already stored" for another repo's blob (it reveals that a private file exists)."""
    import huggingface_hub as hh

    secret = b"private weights " + repo_name.encode()
    oid, size = hashlib.sha256(secret).hexdigest(), len(secret)
    private_id = hh.create_repo(repo_name, private=True).repo_id
    hh.upload_file(path_or_fileobj=secret, path_in_repo="w.bin", repo_id=private_id)
    assert hh.model_info(private_id, files_metadata=True).siblings[1].lfs.sha256 == oid

    other_repo = hh.create_repo(repo_name, token=hub.other_token).repo_id
    headers = {"Authorization": f"Bearer {hub.other_token}"}
    with httpx2.Client(base_url=hub.url, headers=headers, timeout=30) as other:
        unknown_oid = hashlib.sha256(b"never stored").hexdigest()
        answer, never_stored = (
            batch(other, other_repo, oid, size),
            batch(other, other_repo, unknown_oid, 5),
        )
        assert "actions" in answer, "the batch answer must not reveal another repo's blob"
        assert answer.keys() == never_stored.keys()
        refused = raw_commit(other_repo, lfs_line("stolen.bin", oid, size), client=other)
        assert refused.status_code == 400, refused.text
        assert hh.list_repo_files(other_repo) == [".gitattributes"]

        # Uploading the bytes proves possession: then the commit is fine (content-addressed).
        assert httpx2.put(answer["actions"]["upload"]["href"], content=secret).status_code == 200
        assert raw_commit(other_repo, lfs_line("mine.bin", oid, size), client=other).is_success


def test_same_user_needs_to_upload_to_each_repo(
    client: httpx2.Client, hub: HubHandle, repo_name: str
) -> None:
    """The rule holds per repo, not per user: the batch of a second repo asks for the bytes."""
    import huggingface_hub as hh

    content = b"weights of " + repo_name.encode()
    first = hh.create_repo(repo_name + "-a").repo_id
    hh.upload_file(path_or_fileobj=content, path_in_repo="w.bin", repo_id=first)
    second = hh.create_repo(repo_name + "-b").repo_id
    oid = hashlib.sha256(content).hexdigest()
    assert "actions" not in batch(client, first, oid, len(content)), "stored for the first repo"
    assert "actions" in batch(client, second, oid, len(content))
    hh.upload_file(path_or_fileobj=content, path_in_repo="w.bin", repo_id=second)
    assert Path(hh.hf_hub_download(second, "w.bin")).read_bytes() == content


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/models/{repo}"),
        ("GET", "/api/models/{repo}/tree/main"),
        ("GET", "/api/models/{repo}/refs"),
        ("HEAD", "/{repo}/resolve/main/.gitattributes"),
        ("GET", "/{repo}/resolve/main/.gitattributes"),
        ("GET", "/api/models"),
        ("GET", "/api/spaces/x/y"),  # not even an implemented route
        ("POST", "/api/validate-yaml"),
    ],
)
def test_wrong_token_is_refused_on_every_route(
    hub: HubHandle, repo_id: str, method: str, path: str
) -> None:
    """Rejects: checking the token only for private repos and writes (a typo in HF_TOKEN would
    surface only at the first push)."""
    url = hub.url + path.format(repo=repo_id)
    for header in ("Bearer hf_typo", "Bearer", f"Basic {hub.write_token}", "Bearer 模型"):
        response = httpx2.request(method, url, headers={"Authorization": header.encode()})
        assert response.status_code == 401, (header, response.status_code)
    if "spaces" not in path:
        assert httpx2.request(method, url).status_code == 200, "anonymous reads still work"


def test_wrong_token_with_the_real_client(hub: HubHandle, repo_name: str) -> None:
    import huggingface_hub as hh

    repo_id = hh.create_repo(repo_name).repo_id
    for call in (
        lambda: hh.model_info(repo_id, token="hf_typo"),
        lambda: hh.hf_hub_download(repo_id, ".gitattributes", token="hf_typo"),
        lambda: list(hh.list_models(author=hub.user, token="hf_typo")),
    ):
        with pytest.raises(hh.errors.HfHubHTTPError) as refused:
            call()
        assert refused.value.response.status_code == 401
    assert hh.model_info(repo_id, token=False).id == repo_id, "anonymous reads still work"


def test_branch_named_like_a_commit_is_refused(hub: HubHandle, repo_name: str) -> None:
    """Rejects: a branch `0123...` (40 hex) that would shadow or be shadowed by a commit id."""
    import huggingface_hub as hh

    repo_id = hh.create_repo(repo_name).repo_id
    sha = hh.model_info(repo_id).sha
    for name in (sha, "a" * 40):
        with pytest.raises(hh.errors.HfHubHTTPError) as refused:
            hh.create_branch(repo_id, branch=name)
        assert refused.value.response.status_code == 400
        with pytest.raises(hh.errors.HfHubHTTPError) as refused:
            hh.create_tag(repo_id, tag=name)
        assert refused.value.response.status_code == 400
    assert [b.name for b in hh.list_repo_refs(repo_id).branches] == ["main"]


def test_refused_commit_leaves_no_blob(
    client: httpx2.Client, raw_commit: RawCommit, repo_id: str, hub: HubHandle
) -> None:
    """Rejects: storing inline contents while parsing, before the 412 / 404 checks."""
    base = client.get(f"/api/models/{repo_id}").json()["sha"]
    assert raw_commit(repo_id, header={"summary": "moves main"}).status_code == 200
    contents = [f"orphan {repo_id} {i}".encode() for i in range(2)]
    lines = [
        {"key": "file", "value": {"path": f"f{i}.txt", "content": b64, "encoding": "base64"}}
        for i, b64 in enumerate(base64.b64encode(c).decode() for c in contents)
    ]
    stale = raw_commit(repo_id, lines[0], header={"summary": "stale", "parentCommit": base})
    assert stale.status_code == 412
    missing = raw_commit(repo_id, lines[1], {"key": "deletedFile", "value": {"path": "nope"}})
    assert missing.status_code == 404
    for content in contents:
        oid = hashlib.sha256(content).hexdigest()
        assert not (hub.data_dir / "blobs" / oid[:2] / oid[2:]).exists()
