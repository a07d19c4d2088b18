"""Git LFS "basic" upload: the batch endpoint hands out signed upload URLs, the client PUTs the bytes.

The PUT carries no token (as with the Hub's S3 URLs), so each URL carries an HMAC of the repo, the
object id and the size, made with a key that lives as long as the server process. The upload is
recorded for that repo only: the batch answer and the commits of a repo never depend on what other
repos hold, so knowing a private file's sha256 reveals nothing and attaches nothing.
"""

from __future__ import annotations

import hashlib
import hmac

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import HubError
from .names import SHA256
from .schema import JsonObject, field, objects
from .state import HubState, hub, read_json, readable_repo, repo_id_of, repo_type_of
from .storage import Repo

LFS_JSON = "application/vnd.git-lfs+json"
UPLOAD = "/lfs-upload/{kind:repokind}/{namespace}/{name}/{oid}/{size:int}"


def signature(state: HubState, repo: Repo, oid: str, size: int) -> str:
    """The HMAC that authorises uploading object `oid` of `size` bytes to `repo`."""
    message = f"{repo.repo_type}:{repo.repo_id}:{oid}:{size}".encode()
    return hmac.new(state.signing_key, message, hashlib.sha256).hexdigest()


def batch_object(request: Request, state: HubState, repo: Repo, item: JsonObject) -> dict:
    """The answer for one object of an upload batch: nothing to do, an upload action, or an error."""
    oid, size = field(item, "oid", str, "LFS object"), field(item, "size", int, "LFS object")
    if not SHA256.fullmatch(oid) or not 0 <= size <= state.limits.lfs_bytes:
        message = f"Invalid object (sha256 oid, size up to {state.limits.lfs_bytes} bytes)"
        return {"oid": oid, "size": size, "error": {"code": 422, "message": message}}
    if state.storage.blobs.has(oid, size) and state.storage.may_use_blob(repo, oid):
        return {"oid": oid, "size": size}
    base = str(request.base_url).rstrip("/")
    kind = f"{repo.repo_type}s"
    href = f"{base}/lfs-upload/{kind}/{repo.repo_id}/{oid}/{size}"
    href += f"?sig={signature(state, repo, oid, size)}"
    return {"oid": oid, "size": size, "authenticated": True, "actions": {"upload": {"href": href}}}


async def batch(request: Request) -> JSONResponse:
    """`POST /{repo}.git/info/lfs/objects/batch` for uploads (downloads go through `resolve`)."""
    state = hub(request)
    repo = readable_repo(request)
    state.auth.check_write(request, repo)
    body = await read_json(request)
    operation = field(body, "operation", str, "LFS batch")
    if operation != "upload":
        raise state.record_unknown(request, f"LFS operation {operation!r}")
    items = objects(body, "objects", "LFS batch")
    answer = [await run_in_threadpool(batch_object, request, state, repo, item) for item in items]
    return JSONResponse(
        {"transfer": "basic", "objects": answer, "hash_algo": "sha256"}, media_type=LFS_JSON
    )


async def upload(request: Request) -> Response:
    """`PUT /lfs-upload/...?sig=`: stream the bytes to disk, check the sha256, publish, and record
    the upload for the repo (even when the store had the blob: the uploader proved it has it)."""
    state = hub(request)
    oid, size = request.path_params["oid"], request.path_params["size"]
    repo = state.storage.require_repo(repo_type_of(request), repo_id_of(request))
    expected = signature(state, repo, oid, size)
    given = request.query_params.get("sig", "").encode()
    if not hmac.compare_digest(expected.encode(), given):
        raise HubError(403, "Invalid or missing upload signature")
    writer = state.storage.blobs.writer(max_bytes=size)
    try:
        async for chunk in request.stream():
            writer.write(chunk)
        await run_in_threadpool(writer.finish, oid, size)
    except BaseException:
        writer.abort()
        raise
    await run_in_threadpool(state.storage.record_upload, repo, oid)
    return Response(status_code=200)


ROUTES = [
    Route("/{namespace}/{name}.git/info/lfs/objects/batch", batch, methods=["POST"]),
    Route(
        "/{kind:repokind}/{namespace}/{name}.git/info/lfs/objects/batch", batch, methods=["POST"]
    ),
    Route(UPLOAD, upload, methods=["PUT"]),
]
