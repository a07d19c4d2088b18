"""Writing: `preupload` (regular or LFS?) and `commit` (the ndjson body of `create_commit`)."""

from __future__ import annotations

import base64
import binascii
import hashlib

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .errors import HubError
from .names import validate_branch, validate_oid, validate_path
from .routes_repos import API
from .schema import JsonObject, field, json_object, objects, parse_json
from .state import HubState, hub, read_body, read_json, readable_repo, repo_url
from .storage import (
    LFS_SUFFIXES,
    AddFile,
    DeleteFile,
    DeleteFolder,
    FileEntry,
    Operation,
    Repo,
)

REGULAR_MAX_BYTES = 5 << 20  # the client assumes regular (inline) files are at most 5 MB


def upload_mode(path: str, size: int) -> str:
    """`lfs` for binary suffixes (as `.gitattributes` says) and large files, else `regular`."""
    return "lfs" if path.endswith(LFS_SUFFIXES) or size > REGULAR_MAX_BYTES else "regular"


async def preupload(request: Request) -> JSONResponse:
    """`POST .../preupload/{rev}`: tell the client how to send each file, and the oid it has now."""
    state = hub(request)
    repo = readable_repo(request)
    state.auth.check_write(request, repo)
    if request.query_params.get("create_pr"):
        raise state.record_unknown(request, "create_pr")
    head = state.storage.resolve(repo, request.path_params["revision"])
    answer = []
    for item in objects(await read_json(request), "files", "preupload"):
        path = validate_path(field(item, "path", str, "preupload"))
        current = head.files.get(path)
        answer.append(
            {
                "path": path,
                "uploadMode": upload_mode(path, field(item, "size", int, "preupload", default=0)),
                "shouldIgnore": False,
                "oid": current.etag if current else None,
            }
        )
    return JSONResponse({"files": answer})


def inline_file(path: str, value: JsonObject) -> AddFile:
    """A `file` line: base64 content, stored only when the commit is accepted."""
    where = f"commit line for {path}"
    encoding = field(value, "encoding", str, where)
    if encoding != "base64":
        raise HubError(400, f"Unsupported encoding {encoding!r} for {path}: use base64")
    try:
        content = base64.b64decode(field(value, "content", str, where), validate=True)
    except binascii.Error as error:
        raise HubError(400, f"Invalid base64 content for {path}") from error
    return AddFile(path, FileEntry.regular(hashlib.sha256(content).hexdigest(), content), content)


def lfs_file(state: HubState, repo: Repo, path: str, value: JsonObject) -> AddFile:
    """An `lfsFile` line: a blob uploaded to this repo or in its history. `size` may be missing
    (a `CommitOperationCopy`): it is then the stored blob's."""
    where = f"lfsFile line for {path}"
    if field(value, "algo", str, where, default="sha256") != "sha256":
        raise HubError(400, f"{where}: only the sha256 algo is supported")
    oid = validate_oid(field(value, "oid", str, where))
    size = field(value, "size", int, where, default=None)
    stored = state.storage.blobs.size(oid)
    if stored is None or not state.storage.may_use_blob(repo, oid) or size not in (None, stored):
        raise HubError(
            400,
            f"LFS object {oid} of {path} was not uploaded to {repo.repo_id} (or has another size): "
            "upload it through the LFS batch API first",
        )
    return AddFile(path, FileEntry.large(oid, stored))


def parse_operation(
    state: HubState, request: Request, repo: Repo, key: str, value: JsonObject
) -> Operation:
    """One ndjson line of a commit as a storage operation."""
    raw_path = field(value, "path", str, f"{key} line")
    path = validate_path(raw_path.rstrip("/") if key == "deletedFolder" else raw_path)
    if key == "file":
        return inline_file(path, value)
    if key == "lfsFile":
        return lfs_file(state, repo, path, value)
    if key == "deletedFile":
        return DeleteFile(path)
    if key == "deletedFolder":
        return DeleteFolder(path)
    raise state.record_unknown(request, f"commit operation {key!r}")


def parse_commit(
    state: HubState, request: Request, repo: Repo, body: bytes
) -> tuple[JsonObject, list[Operation]]:
    """The header and the operations of an ndjson commit body."""
    header: JsonObject | None = None
    operations: list[Operation] = []
    for number, line in enumerate(body.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"commit line {number}"
        item = json_object(parse_json(line, where), where)
        key = field(item, "key", str, where)
        value = json_object(item.get("value"), f"{where}: 'value'")
        if key == "header":
            header = value
        else:
            operations.append(parse_operation(state, request, repo, key, value))
    if header is None or not field(header, "summary", str, "commit header", default=""):
        raise HubError(400, "The commit needs a header line with a summary")
    return header, operations


async def commit(request: Request) -> JSONResponse:
    """`POST .../commit/{branch}`: apply the operations; 412 if `parentCommit` is not the head."""
    state = hub(request)
    repo = readable_repo(request)
    token = state.auth.check_write(request, repo)
    if request.query_params.get("create_pr"):
        raise state.record_unknown(request, "create_pr")
    branch = validate_branch(request.path_params["revision"])
    body = await read_body(request, state.limits.commit_bytes)
    header, operations = await run_in_threadpool(parse_commit, state, request, repo, body)
    new = await run_in_threadpool(
        state.storage.commit,
        repo,
        branch,
        operations,
        field(header, "summary", str, "commit header"),
        field(header, "description", str, "commit header", default=""),
        token.user,
        field(header, "parentCommit", str, "commit header", default=None),
    )
    url = f"{repo_url(request, repo)}/commit/{new.id}"
    return JSONResponse({"commitUrl": url, "commitOid": new.id, "pullRequestUrl": None})


ROUTES = [
    Route(API + "/preupload/{revision}", preupload, methods=["POST"]),
    Route(API + "/commit/{revision}", commit, methods=["POST"]),
]
