"""Bad input answers 4xx with a message: never a 500, never a dropped connection."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import httpx2
import pytest

from hfkatas.hub.auth import Token
from hfkatas.hub.cli import parser
from hfkatas.hub.names import validate_repo_id
from hfkatas.hub.state import Limits
from hfkatas.hub.testing import HubHandle, running_hub

pytestmark = pytest.mark.timeout(60)
RawCommit = Callable[..., httpx2.Response]


def assert_refused(response: httpx2.Response, status: int = 400) -> None:
    """A 4xx (`status`) whose JSON body and header carry a message."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.json()["error"] and response.headers["X-Error-Message"]


def test_missing_non_latin_file_is_a_clean_404(hub: HubHandle, repo_name: str) -> None:
    """Rejects: putting the raw message in a header (not Latin-1: a 500 instead of a 404)."""
    import huggingface_hub as hh

    repo_id = hh.create_repo(repo_name).repo_id
    with pytest.raises(hh.errors.EntryNotFoundError):
        hh.hf_hub_download(repo_id, "模型.bin")
    hh.upload_file(path_or_fileobj=b"weights", path_in_repo="模型/Ωmega.txt", repo_id=repo_id)
    assert Path(hh.hf_hub_download(repo_id, "模型/Ωmega.txt")).read_bytes() == b"weights"
    response = httpx2.get(f"{hub.url}/{repo_id}/resolve/main/{quote('模型.bin')}")
    assert_refused(response, 404)
    assert response.json()["error"] == "Entry not found: 模型.bin", "the body keeps the real name"
    assert response.headers["X-Error-Message"].isascii()


@pytest.mark.parametrize(
    "url",
    [
        "/api/models/learner/{quote('模型')}",
        "/api/models/learner/a%00b",
        "/api/models/{repo}/revision/main%00",
        "/api/models/{repo}/tree/main%00",
        "/api/models/{repo}/tree/main/a%00b",
        "/{repo}/resolve/main%00/.gitattributes",
        "/{repo}/resolve/main/.gitattributes%00",
        "/{repo}/resolve/%E6%A8%A1%00/x",
        "/api/models/{repo}/commits/%00",
    ],
)
def test_nul_bytes_and_non_latin_names_in_urls(
    client: httpx2.Client, repo_id: str, url: str
) -> None:
    """Rejects: an error message holding a NUL byte copied into a header (the connection drops)."""
    url = url.replace("{quote('模型')}", quote("模型")).replace("{repo}", repo_id)
    response = client.get(url)
    assert 400 <= response.status_code < 500 and response.json()["error"], url


def test_nul_bytes_in_commit_targets(
    client: httpx2.Client, raw_commit: RawCommit, repo_id: str
) -> None:
    assert_refused(client.post(f"/api/models/{repo_id}/commit/main%00", content=b""))
    assert_refused(client.post(f"/api/models/{repo_id}/branch/dev%00"))
    line = {"key": "file", "value": {"path": "a\0.txt", "content": "", "encoding": "base64"}}
    assert_refused(raw_commit(repo_id, line))


WRONG_LINES = {
    "value is a string": {"key": "file", "value": "a.txt"},
    "value is a list": {"key": "deletedFile", "value": ["a.txt"]},
    "value is null": {"key": "lfsFile", "value": None},
    "value is missing": {"key": "file"},
    "key is a number": {"key": 3, "value": {"path": "a.txt"}},
    "line is a list": [{"key": "file"}],
    "line is a string": "file",
    "content is a number": {
        "key": "file",
        "value": {"path": "a", "content": 12, "encoding": "base64"},
    },
    "content is not base64": {
        "key": "file",
        "value": {"path": "a", "content": "!!", "encoding": "base64"},
    },
    "encoding is wrong": {
        "key": "file",
        "value": {"path": "a", "content": "", "encoding": "utf-8"},
    },
    "path is a number": {"key": "deletedFile", "value": {"path": 1}},
    "path is a dict": {"key": "deletedFolder", "value": {"path": {"a": 1}}},
    "size is a string": {
        "key": "lfsFile",
        "value": {"path": "a.bin", "oid": "a" * 64, "size": "1"},
    },
    "size is a bool": {"key": "lfsFile", "value": {"path": "a.bin", "oid": "a" * 64, "size": True}},
    "oid is a number": {"key": "lfsFile", "value": {"path": "a.bin", "oid": 1, "size": 1}},
    "algo is wrong": {"key": "lfsFile", "value": {"path": "a.bin", "oid": "a" * 64, "algo": "md5"}},
    "deeply nested": b'{"key": "file", "value": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "not JSON": b"{not json",
    "not UTF-8": b'{"key": "file", "value": {"path": "\xff"}}',
    "huge number": b'{"key": "lfsFile", "value": {"size": 1' + b"0" * 5000 + b"}}",
}


@pytest.mark.parametrize("line", WRONG_LINES.values(), ids=WRONG_LINES.keys())
def test_ndjson_lines_of_the_wrong_shape(
    client: httpx2.Client, raw_commit: RawCommit, repo_id: str, line: object
) -> None:
    """Rejects: `value.get(...)` on whatever the line holds, `json.loads` without a guard for
    deep nesting (RecursionError), base64-decoding a number."""
    assert_refused(raw_commit(repo_id, line))
    assert client.get(f"/api/models/{repo_id}/commits/main").json()[0]["title"] == "initial commit"


WRONG_HEADERS = {
    "header is a string": {"key": "header", "value": "hello"},
    "summary is a number": {"key": "header", "value": {"summary": 1}},
    "summary is empty": {"key": "header", "value": {"summary": ""}},
    "parent is a list": {"key": "header", "value": {"summary": "s", "parentCommit": ["x"]}},
    "description is a dict": {"key": "header", "value": {"summary": "s", "description": {}}},
}


@pytest.mark.parametrize("header", WRONG_HEADERS.values(), ids=WRONG_HEADERS.keys())
def test_commit_headers_of_the_wrong_shape(
    raw_commit: RawCommit, repo_id: str, header: dict
) -> None:
    assert_refused(raw_commit(repo_id, header, header=False))


WRONG_BATCHES = {
    "body is a list": [],
    "objects is a string": {"operation": "upload", "objects": "abc"},
    "objects holds strings": {"operation": "upload", "objects": ["abc"]},
    "oid is a number": {"operation": "upload", "objects": [{"oid": 1, "size": 1}]},
    "size is a string": {"operation": "upload", "objects": [{"oid": "a" * 64, "size": "1"}]},
    "size is a float": {"operation": "upload", "objects": [{"oid": "a" * 64, "size": 1.5}]},
    "operation is a number": {"operation": 1, "objects": []},
}


@pytest.mark.parametrize("body", WRONG_BATCHES.values(), ids=WRONG_BATCHES.keys())
def test_lfs_batch_bodies_of_the_wrong_types(
    client: httpx2.Client, repo_id: str, body: object
) -> None:
    assert_refused(client.post(f"/{repo_id}.git/info/lfs/objects/batch", json=body))


def test_lfs_upload_with_a_non_ascii_signature(client: httpx2.Client, repo_id: str) -> None:
    """Rejects: `hmac.compare_digest` on a str that is not ASCII (TypeError, a 500)."""
    response = client.put(
        f"/lfs-upload/models/{repo_id}/{'a' * 64}/1?sig={quote('é')}", content=b"x"
    )
    assert_refused(response, 403)


WRONG_PREUPLOADS = {
    "body is a string": "files",
    "files is an object": {"files": {"path": "a"}},
    "files holds strings": {"files": ["a.txt"]},
    "path is a number": {"files": [{"path": 1, "size": 1}]},
    "size is a string": {"files": [{"path": "a.txt", "size": "big"}]},
    "path is unsafe": {"files": [{"path": "../a", "size": 1}]},
}


@pytest.mark.parametrize("body", WRONG_PREUPLOADS.values(), ids=WRONG_PREUPLOADS.keys())
def test_preupload_bodies_of_the_wrong_types(
    client: httpx2.Client, repo_id: str, body: object
) -> None:
    assert_refused(client.post(f"/api/models/{repo_id}/preupload/main", json=body))


WRONG_CREATES = {
    "name is a number": {"name": 5},
    "name is missing": {},
    "organization is a list": {"name": "x", "organization": ["learner"]},
    "visibility is unknown": {"name": "x", "visibility": "secret"},
    "private is a string": {"name": "x", "private": "yes"},
    "type is a number": {"name": "x", "type": 1},
}


@pytest.mark.parametrize("body", WRONG_CREATES.values(), ids=WRONG_CREATES.keys())
def test_create_bodies_of_the_wrong_types(client: httpx2.Client, body: object) -> None:
    assert_refused(client.post("/api/repos/create", json=body))


def test_paths_info_body_that_is_not_utf8(client: httpx2.Client, repo_id: str) -> None:
    response = client.post(
        f"/api/models/{repo_id}/paths-info/main",
        content=b"paths=\xff\xfe.txt",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_refused(response)


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/validate-yaml", {"content": 1}),
        ("/api/validate-yaml", b'{"content": ' + b"[" * 50_000),
        ("/api/models/{repo}/branch/dev", {"startingPoint": 1}),
        ("/api/models/{repo}/tag/main", {"tag": ["v1"]}),
        ("/api/repos/move", {"fromRepo": "{repo}", "toRepo": 3}),
        ("/api/repos/move", {"fromRepo": "{repo}", "toRepo": "a/b/c"}),
    ],
)
def test_other_json_bodies_are_type_checked(
    client: httpx2.Client, repo_id: str, url: str, body: object
) -> None:
    if isinstance(body, dict):
        body = {
            k: v.replace("{repo}", repo_id) if isinstance(v, str) else v for k, v in body.items()
        }
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    assert_refused(client.post(url.replace("{repo}", repo_id), content=content))


@pytest.mark.parametrize(
    "query", ["limit=-1", "limit=abc", "limit=" + "9" * 5000, "limit=%EF%BC%91", "sort=zzz"]
)
def test_list_query_parameters_are_checked(client: httpx2.Client, query: str) -> None:
    """Rejects: `int()` on any `limit` (a 5000-digit one raises ValueError: a 500)."""
    assert_refused(client.get(f"/api/models?{query}"))


@pytest.mark.parametrize(
    "range_header", ["bytes=abc", "bytes=5-1", "items=0-1", "bytes=9" + "9" * 5000]
)
def test_malformed_ranges(client: httpx2.Client, repo_id: str, range_header: str) -> None:
    response = client.get(
        f"/{repo_id}/resolve/main/.gitattributes", headers={"Range": range_header}
    )
    assert 400 <= response.status_code < 500


def test_unknown_route_log_is_bounded(tmp_path: Path) -> None:
    """Rejects: an unbounded list that any client can grow, one junk request at a time."""
    with running_hub(tmp_path / "data", limits=Limits(unknown_routes=3)) as hub:
        for i in range(10):
            assert httpx2.get(f"{hub.url}/nothing/{i}/{'x' * 5000}").status_code == 501
        assert len(hub.unknown_routes) == 3
        assert all(len(entry) < 300 for entry in hub.unknown_routes)


@pytest.mark.parametrize("name", ["api", "a b", "模型", "x--y", "-lead", "a/b", "datasets"])
def test_token_user_names_must_be_namespaces(name: str) -> None:
    """Rejects: accepting a user whose repos could never be created (or clash with routes)."""
    with pytest.raises(ValueError, match="user name"):
        Token.parse(f"{name}:write:secret")
    with pytest.raises(SystemExit):
        parser().parse_args(["serve", "--data", "d", "--token", f"{name}:write:s"])


@pytest.mark.parametrize("name", ["learner", "Bob.Smith", "a", "team_7"])
def test_accepted_user_names_are_valid_namespaces(name: str) -> None:
    assert Token.parse(f"{name}:read:s").user == name
    assert validate_repo_id(name, "repo") == f"{name}/repo"
