"""Branches and tags: list, create, delete. Refs have no `/`; names like a commit sha are refused."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .names import validate_branch, validate_ref
from .routes_repos import API
from .schema import field
from .state import hub, read_json, readable_repo
from .storage import DEFAULT_BRANCH, Repo


def refs_json(refs: dict[str, str], kind: str) -> list[dict]:
    """Branches (`kind` heads) or tags as `list_repo_refs` expects them."""
    return [
        {"name": name, "ref": f"refs/{kind}/{name}", "targetCommit": sha}
        for name, sha in sorted(refs.items())
    ]


async def list_refs(request: Request) -> JSONResponse:
    """`GET .../refs`: branches and tags (no converts or pull requests on this Hub)."""
    repo = readable_repo(request)
    return JSONResponse(
        {
            "branches": refs_json(repo.branches, "heads"),
            "tags": refs_json(repo.tags, "tags"),
            "converts": [],
            "pullRequests": [],
        }
    )


def writable_repo(request: Request) -> Repo:
    """The repo named by the route, if the caller may write to it."""
    repo = readable_repo(request)
    hub(request).auth.check_write(request, repo)
    return repo


async def create_branch(request: Request) -> JSONResponse:
    """`POST .../branch/{branch}` with optional `startingPoint`; 409 if the name is taken."""
    state = hub(request)
    repo = writable_repo(request)
    branch = validate_branch(request.path_params["branch"])
    body = await read_json(request)
    start_name = field(body, "startingPoint", str, "create branch", default=DEFAULT_BRANCH)
    start = state.storage.resolve(repo, start_name)
    await run_in_threadpool(state.storage.create_branch, repo, branch, start)
    return JSONResponse({"name": branch, "targetCommit": start.id})


async def delete_branch(request: Request) -> Response:
    """`DELETE .../branch/{branch}`; 404 if it does not exist, 403 for `main`."""
    state = hub(request)
    repo = writable_repo(request)
    await run_in_threadpool(state.storage.delete_branch, repo, request.path_params["branch"])
    return Response(status_code=200)


async def create_tag(request: Request) -> JSONResponse:
    """`POST .../tag/{revision}` with `{"tag", "message"?}`; 409 if the name is taken.

    The message is accepted and not kept (tags here are lightweight)."""
    state = hub(request)
    repo = writable_repo(request)
    body = await read_json(request)
    tag = validate_ref(field(body, "tag", str, "create tag"), "tag")
    field(body, "message", str, "create tag", default="")
    target = state.storage.resolve(repo, request.path_params["revision"])
    await run_in_threadpool(state.storage.create_tag, repo, tag, target)
    return JSONResponse({"name": tag, "targetCommit": target.id})


async def delete_tag(request: Request) -> Response:
    """`DELETE .../tag/{tag}`; 404 if it does not exist."""
    state = hub(request)
    repo = writable_repo(request)
    await run_in_threadpool(state.storage.delete_tag, repo, request.path_params["tag"])
    return Response(status_code=200)


ROUTES = [
    Route(API + "/refs", list_refs, methods=["GET"]),
    Route(API + "/branch/{branch}", create_branch, methods=["POST"]),
    Route(API + "/branch/{branch}", delete_branch, methods=["DELETE"]),
    Route(API + "/tag/{revision}", create_tag, methods=["POST"]),
    Route(API + "/tag/{tag}", delete_tag, methods=["DELETE"]),
]
