"""Managing repos: delete, move, settings (private <-> public), listing, and `auth-check`."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import HubError
from .names import validate_repo_id, validate_repo_type
from .routes_repos import API, caller_name, info_json, visibility_of
from .schema import JsonObject, field
from .state import hub, read_json, readable_repo, repo_url
from .storage import DEFAULT_BRANCH, Repo

# Query parameters of list_models / list_datasets that change only which fields come back.
_FIELD_PARAMETERS = {"full", "config", "cardData", "expand"}
_SORT_KEYS = {"id", "createdAt", "lastModified", "downloads", "likes", "trendingScore"}
_SETTINGS = {"visibility", "private", "gated"}


def repo_id_field(body: JsonObject, key: str, where: str) -> str:
    """The `namespace/name` in `body[key]`, validated."""
    value = field(body, key, str, where)
    parts = value.split("/")
    if len(parts) != 2:
        raise HubError(400, f"{where}: {key} must be namespace/name, got {value!r:.100}")
    return validate_repo_id(*parts)


async def delete_repo(request: Request) -> Response:
    """`DELETE /api/repos/delete` with `{name, organization?, type?}`; 404 RepoNotFound if it is
    missing (or private to someone else), which `missing_ok=True` ignores."""
    state = hub(request)
    body = await read_json(request)
    where = "delete repo"
    repo_type = validate_repo_type(field(body, "type", str, where, default=None))
    namespace = field(body, "organization", str, where, default=None) or caller_name(request)
    repo_id = validate_repo_id(namespace, field(body, "name", str, where))
    repo = state.storage.require_repo(repo_type, repo_id)
    state.auth.check_write(request, repo)
    await run_in_threadpool(state.storage.delete_repo, repo)
    return Response(status_code=200)


async def move_repo(request: Request) -> JSONResponse:
    """`POST /api/repos/move` with `{fromRepo, toRepo, type}`: the caller writes to both
    namespaces; 409 if the target exists."""
    state = hub(request)
    body = await read_json(request)
    where = "move repo"
    repo_type = validate_repo_type(field(body, "type", str, where, default=None))
    source = repo_id_field(body, "fromRepo", where)
    target = repo_id_field(body, "toRepo", where)
    repo = state.storage.require_repo(repo_type, source)
    state.auth.check_write(request, repo)
    state.auth.require_writer(request, target.split("/")[0])
    moved = await run_in_threadpool(state.storage.move_repo, repo, target)
    return JSONResponse({"url": repo_url(request, moved)})


async def update_settings(request: Request) -> JSONResponse:
    """`PUT .../settings` with `visibility` (or `private`); `gated` may only be false here."""
    state = hub(request)
    repo = readable_repo(request)
    state.auth.check_write(request, repo)
    body = await read_json(request)
    unknown = sorted(set(body) - _SETTINGS)
    gated = body.get("gated")
    if gated is not None and gated is not False:
        if gated not in ("auto", "manual"):
            raise HubError(400, "update settings: gated must be 'auto', 'manual' or false")
        unknown.append(f"gated={gated}")
    if unknown:
        raise state.record_unknown(request, f"settings {', '.join(map(str, unknown))}")
    private = visibility_of(body, "update settings")
    if private is not None:
        await run_in_threadpool(state.storage.set_private, repo, private)
    return JSONResponse({"private": repo.private if private is None else private})


def listed(request: Request, repo: Repo) -> dict:
    """One repo as `list_models` / `list_datasets` describe it (siblings only with `full`)."""
    item = info_json(request, repo, hub(request).storage.resolve(repo, DEFAULT_BRANCH))
    if request.query_params.get("full", "").lower() not in ("1", "true"):
        del item["siblings"]
    return item


def limit_of(request: Request) -> int | None:
    """The `limit` query parameter (None when absent)."""
    value = request.query_params.get("limit")
    if value is None:
        return None
    if not value.isdigit() or not value.isascii() or len(value) > 9:
        raise HubError(400, f"limit must be an integer from 0 to 999999999, got {value!r:.50}")
    return int(value)


def list_repos_sync(request: Request) -> list[dict]:
    """The repos of the route's type the caller may see, filtered by `author` and `search`."""
    state = hub(request)
    params = request.query_params
    unknown = sorted(set(params) - {"author", "search", "limit", "sort"} - _FIELD_PARAMETERS)
    if unknown:
        raise state.record_unknown(request, f"parameters {', '.join(unknown)}")
    sort = params.get("sort")
    if sort is not None and sort not in _SORT_KEYS:
        raise HubError(400, f"sort must be one of {', '.join(sorted(_SORT_KEYS))}")
    caller = state.auth.caller(request)
    author, search = params.get("author"), params.get("search", "").lower()
    repo_type = "dataset" if request.url.path.endswith("datasets") else "model"
    items = [
        listed(request, repo)
        for repo in state.storage.list_repos(repo_type)
        if (not repo.private or (caller is not None and caller.user == repo.namespace))
        and (author is None or repo.namespace == author)
        and search in repo.repo_id.lower()
    ]
    if sort is not None:  # the Hub sorts in descending order; ties keep the id order
        items.sort(key=lambda item: item.get(sort, 0), reverse=True)
    return items[: limit_of(request)]


async def list_repos(request: Request) -> JSONResponse:
    """`GET /api/models` and `/api/datasets`: one page (no `Link` header), by id unless `sort`
    says otherwise. Private repos are listed to their owner only."""
    return JSONResponse(await run_in_threadpool(list_repos_sync, request))


async def auth_check(request: Request) -> JSONResponse:
    """`GET .../auth-check[/write]`: 200 if the caller may read (write) the repo."""
    state = hub(request)
    repo = readable_repo(request)
    write = request.url.path.endswith("/write")
    if write:
        state.auth.check_write(request, repo)
    return JSONResponse({"access": "write" if write else "read"})


ROUTES = [
    Route("/api/repos/delete", delete_repo, methods=["DELETE"]),
    Route("/api/repos/move", move_repo, methods=["POST"]),
    Route("/api/models", list_repos, methods=["GET"]),
    Route("/api/datasets", list_repos, methods=["GET"]),
    Route(API + "/settings", update_settings, methods=["PUT"]),
    Route(API + "/auth-check", auth_check, methods=["GET"]),
    Route(API + "/auth-check/write", auth_check, methods=["GET"]),
]
