"""Git LFS "basic" upload: the batch endpoint hands out signed upload URLs, the client PUTs the bytes.

The PUT carries no token (as with the Hub's S3 URLs), so each URL carries an HMAC of the object id
and size, made with a key that lives as long as the server process.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import HubError
from .state import HubState, hub, read_json, readable_repo

_SHA256 = re.compile(r"[0-9a-f]{64}")
LFS_JSON = "application/vnd.git-lfs+json"


def signature(state: HubState, oid: str, size: int) -> str:
    """The HMAC that authorises uploading object `oid` of `size` bytes."""
    return hmac.new(state.signing_key, f"{oid}:{size}".encode(), hashlib.sha256).hexdigest()


def batch_object(request: Request, state: HubState, item: dict) -> dict:
    """The answer for one object of an upload batch: nothing to do, an upload action, or an error."""
    oid, size = item.get("oid"), item.get("size")
    if not isinstance(oid, str) or not isinstance(size, int):
        raise HubError(400, "Each LFS object needs a string oid and an integer size")
    if not _SHA256.fullmatch(oid) or not 0 <= size <= state.limits.lfs_bytes:
        message = f"Invalid object (sha256 oid, size up to {state.limits.lfs_bytes} bytes)"
        return {"oid": oid, "size": size, "error": {"code": 422, "message": message}}
    if state.storage.blobs.has(oid, size):
        return {"oid": oid, "size": size}
    href = f"{str(request.base_url).rstrip('/')}/lfs-upload/{oid}/{size}?sig={signature(state, oid, size)}"
    return {"oid": oid, "size": size, "authenticated": True, "actions": {"upload": {"href": href}}}


async def batch(request: Request) -> JSONResponse:
    """`POST /{repo}.git/info/lfs/objects/batch` for uploads (downloads go through `resolve`)."""
    state = hub(request)
    repo = readable_repo(request)
    state.auth.check_write(request, repo)
    body = await read_json(request)
    if body.get("operation") != "upload":
        raise state.record_unknown(request, f"LFS operation {body.get('operation')!r}")
    objects = [batch_object(request, state, item) for item in body.get("objects", [])]
    return JSONResponse(
        {"transfer": "basic", "objects": objects, "hash_algo": "sha256"}, media_type=LFS_JSON
    )


async def upload(request: Request) -> Response:
    """`PUT /lfs-upload/{oid}/{size}?sig=`: stream the bytes to disk, check the sha256, publish."""
    state = hub(request)
    oid, size = request.path_params["oid"], request.path_params["size"]
    expected = signature(state, oid, size)
    if not hmac.compare_digest(expected, request.query_params.get("sig", "")):
        raise HubError(403, "Invalid or missing upload signature")
    writer = state.storage.blobs.writer(max_bytes=size)
    try:
        async for chunk in request.stream():
            writer.write(chunk)
        await run_in_threadpool(writer.finish, oid, size)
    except BaseException:
        writer.abort()
        raise
    return Response(status_code=200)


ROUTES = [
    Route("/{namespace}/{name}.git/info/lfs/objects/batch", batch, methods=["POST"]),
    Route(
        "/{kind:repokind}/{namespace}/{name}.git/info/lfs/objects/batch", batch, methods=["POST"]
    ),
    Route("/lfs-upload/{oid}/{size:int}", upload, methods=["PUT"]),
]
