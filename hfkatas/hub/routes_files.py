"""Reading files: `HEAD`/`GET /{repo}/resolve/{branch or sha}/{path}`, with Range support."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Route

from .errors import entry_not_found
from .names import validate_path
from .state import hub, readable_repo


async def resolve(request: Request) -> FileResponse:
    """A file's bytes and the headers `hf_hub_download` relies on (never `X-Xet-Hash`)."""
    state = hub(request)
    repo = readable_repo(request)
    commit = state.storage.resolve(repo, request.path_params["revision"])
    path = validate_path(request.path_params["path"])
    entry = commit.files.get(path)
    if entry is None:
        raise entry_not_found(path)
    headers = {"ETag": f'"{entry.etag}"', "X-Repo-Commit": commit.id}
    if entry.lfs:
        headers |= {"X-Linked-Etag": f'"{entry.sha256}"', "X-Linked-Size": str(entry.size)}
    return FileResponse(
        state.storage.blobs.path(entry.sha256),
        headers=headers,
        media_type="application/octet-stream",
    )


ROUTES = [
    Route(
        "/{kind:repokind}/{namespace}/{name}/resolve/{revision}/{path:path}",
        resolve,
        methods=["GET", "HEAD"],
    ),
    Route("/{namespace}/{name}/resolve/{revision}/{path:path}", resolve, methods=["GET", "HEAD"]),
]
