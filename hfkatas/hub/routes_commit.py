"""Writing: `preupload` (regular or LFS?) and `commit` (the ndjson body of `create_commit`)."""

from __future__ import annotations

import base64
import binascii
import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .errors import HubError
from .names import validate_branch, validate_path
from .routes_repos import API
from .state import HubState, hub, read_body, read_json, readable_repo, repo_url
from .storage import LFS_SUFFIXES, AddFile, DeleteFile, DeleteFolder, FileEntry, Operation

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
    body = await read_json(request)
    answer = []
    for item in body.get("files", []):
        path = validate_path(str(item.get("path", "")))
        current = head.files.get(path)
        answer.append(
            {
                "path": path,
                "uploadMode": upload_mode(path, int(item.get("size", 0))),
                "shouldIgnore": False,
                "oid": current.etag if current else None,
            }
        )
    return JSONResponse({"files": answer})


def parse_operation(state: HubState, request: Request, key: str, value: dict) -> Operation:
    """One ndjson line of a commit as a storage operation (stores inline file contents)."""
    path = validate_path(
        str(value.get("path", "")).rstrip("/")
        if key == "deletedFolder"
        else str(value.get("path", ""))
    )
    if key == "file":
        if value.get("encoding") != "base64":
            raise HubError(400, f"Unsupported encoding {value.get('encoding')!r} for {path}")
        try:
            content = base64.b64decode(value.get("content", ""), validate=True)
        except binascii.Error as error:
            raise HubError(400, f"Invalid base64 content for {path}") from error
        return AddFile(path, FileEntry.regular(state.storage.blobs.put(content), content))
    if key == "lfsFile":
        oid, size = str(value.get("oid", "")), value.get("size")
        if value.get("algo", "sha256") != "sha256" or not isinstance(size, int):
            raise HubError(400, f"Invalid lfsFile entry for {path}")
        if not state.storage.blobs.has(oid, size):
            raise HubError(
                400, f"LFS object {oid} of {path} was not uploaded (or has another size)"
            )
        return AddFile(path, FileEntry.large(oid, size))
    if key == "deletedFile":
        return DeleteFile(path)
    if key == "deletedFolder":
        return DeleteFolder(path)
    raise state.record_unknown(request, f"commit operation {key!r}")


def parse_commit(state: HubState, request: Request, body: bytes) -> tuple[dict, list[Operation]]:
    """The header and the operations of an ndjson commit body."""
    header: dict | None = None
    operations: list[Operation] = []
    for line in body.splitlines():
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            key, value = item["key"], item["value"]
        except (ValueError, KeyError, TypeError) as error:
            raise HubError(400, f"Invalid commit line: {line[:200]!r}") from error
        if key == "header":
            header = value
        else:
            operations.append(parse_operation(state, request, key, value))
    if not header or not header.get("summary"):
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
    header, operations = await run_in_threadpool(parse_commit, state, request, body)
    parent = header.get("parentCommit")
    new = await run_in_threadpool(
        state.storage.commit,
        repo.repo_type,
        repo.repo_id,
        branch,
        operations,
        str(header["summary"]),
        str(header.get("description") or ""),
        token.user,
        str(parent) if parent else None,
    )
    url = f"{repo_url(request, repo)}/commit/{new.id}"
    return JSONResponse({"commitUrl": url, "commitOid": new.id, "pullRequestUrl": None})


ROUTES = [
    Route(API + "/preupload/{revision}", preupload, methods=["POST"]),
    Route(API + "/commit/{revision}", commit, methods=["POST"]),
]
