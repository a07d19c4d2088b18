"""Repo-level API: create, info, tree, paths-info, commits, whoami, validate-yaml."""

from __future__ import annotations

import hashlib
from itertools import pairwise
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .errors import HubError, entry_not_found
from .names import validate_path, validate_repo_id, validate_repo_type
from .schema import JsonObject, field
from .state import hub, read_body, read_json, readable_repo, repo_url
from .storage import DEFAULT_BRANCH, Commit, FileEntry, Repo, lfs_pointer

API = "/api/{kind:repokind}/{namespace}/{name}"


def lfs_json(entry: FileEntry, sha256_key: str) -> dict:
    """The `lfs` part of a file's description (`sha256_key`: `oid` in trees, `sha256` in infos)."""
    pointer_size = len(lfs_pointer(entry.sha256, entry.size))
    return {"lfs": {sha256_key: entry.sha256, "size": entry.size, "pointerSize": pointer_size}}


def file_json(path: str, entry: FileEntry) -> dict:
    """A file as the tree and paths-info endpoints describe it."""
    info = {"type": "file", "path": path, "size": entry.size, "oid": entry.oid}
    return info | lfs_json(entry, "oid") if entry.lfs else info


def folder_json(path: str, commit: Commit) -> dict:
    """A folder as the tree endpoint describes it; its oid hashes the files under it."""
    prefix = path + "/"
    listing = "".join(f"{p} {e.oid}\n" for p, e in commit.files.items() if p.startswith(prefix))
    oid = hashlib.sha1(listing.encode(), usedforsecurity=False).hexdigest()
    return {"type": "directory", "path": path, "oid": oid}


def folders_of(commit: Commit) -> set[str]:
    """Every folder that holds at least one file of `commit`."""
    return {path.rsplit("/", i)[0] for path in commit.files for i in range(1, path.count("/") + 1)}


def tree_json(commit: Commit, folder: str, recursive: bool) -> list[dict]:
    """The entries under `folder` ("" for the root), directories included."""
    prefix = f"{folder}/" if folder else ""
    folders = folders_of(commit)
    if folder and folder not in folders:
        raise entry_not_found(folder)

    def wanted(path: str) -> bool:
        return path.startswith(prefix) and (recursive or "/" not in path[len(prefix) :])

    entries = [folder_json(path, commit) for path in sorted(folders) if wanted(path)]
    entries += [file_json(path, entry) for path, entry in commit.files.items() if wanted(path)]
    return entries


def with_last_commits(entries: list[dict], history: list[Commit]) -> list[dict]:
    """`entries` with `lastCommit`: the newest commit of `history` that changed each one."""

    def state(commit: Commit, path: str) -> object:
        entry = commit.files.get(path)
        return entry if entry is not None else folder_json(path, commit)["oid"]

    for item in entries:
        path = item["path"]
        changed = next(
            (
                newer
                for newer, older in pairwise(history)
                if state(newer, path) != state(older, path)
            ),
            history[-1],
        )
        item["lastCommit"] = {"id": changed.id, "title": changed.title, "date": changed.date}
    return entries


def expanded(
    request: Request, repo: Repo, revision: str, entries: list[dict], expand: str
) -> list[dict]:
    """`entries`, with their last commits when `expand` is true."""
    if expand.lower() not in ("1", "true"):
        return entries
    return with_last_commits(entries, hub(request).storage.history(repo, revision))


def commit_json(commit: Commit) -> dict:
    """A commit as `list_repo_commits` expects it."""
    return {
        "id": commit.id,
        "title": commit.title,
        "message": commit.message,
        "authors": [{"user": commit.author}],
        "date": commit.date,
    }


def info_json(request: Request, repo: Repo, commit: Commit) -> dict:
    """`model_info` / `dataset_info` answer."""
    return {
        "id": repo.repo_id,
        "_id": repo.repo_id,
        "author": repo.namespace,
        "sha": commit.id,
        "private": repo.private,
        "gated": False,
        "disabled": False,
        "createdAt": repo.created_at,
        "lastModified": commit.date,
        "tags": [],
        "downloads": 0,
        "likes": 0,
        "url": repo_url(request, repo),
        "siblings": [
            {"rfilename": path, "size": entry.size, "blobId": entry.oid}
            | (lfs_json(entry, "sha256") if entry.lfs else {})
            for path, entry in commit.files.items()
        ],
    }


def visibility_of(body: JsonObject, where: str) -> bool | None:
    """Whether `body` asks for a private repo (`visibility` as 2.x sends it, or the older
    `private`); None when it says nothing."""
    visibility = field(body, "visibility", str, where, default=None)
    if visibility is None:
        return field(body, "private", bool, where, default=None)
    if visibility not in ("public", "private"):
        raise HubError(400, f"{where}: visibility must be 'public' or 'private'")
    return visibility == "private"


async def create_repo(request: Request) -> JSONResponse:
    """`POST /api/repos/create`: 409 (with the url) when it exists, for `exist_ok`."""
    state = hub(request)
    body = await read_json(request)
    where = "create repo"
    repo_type = validate_repo_type(field(body, "type", str, where, default=None))
    namespace = field(body, "organization", str, where, default=None) or caller_name(request)
    state.auth.require_writer(request, namespace)
    repo_id = validate_repo_id(namespace, field(body, "name", str, where))
    private = bool(visibility_of(body, where))
    existing = state.storage.get_repo(repo_type, repo_id)
    if existing is not None:
        message = f"You already created this {repo_type} repo"
        return JSONResponse(
            {"error": message, "url": repo_url(request, existing)},
            status_code=409,
            headers={"X-Error-Message": message},
        )
    repo = await run_in_threadpool(
        state.storage.create_repo, repo_type, repo_id, private, namespace
    )
    return JSONResponse({"url": repo_url(request, repo), "name": repo_id, "id": repo_id})


async def repo_info(request: Request) -> JSONResponse:
    """`GET /api/{models|datasets}/{repo}[/revision/{rev}]`."""
    repo = readable_repo(request)
    commit = hub(request).storage.resolve(repo, request.path_params.get("revision", DEFAULT_BRANCH))
    return JSONResponse(info_json(request, repo, commit))


async def tree(request: Request) -> JSONResponse:
    """`GET .../tree/{rev}[/{path}]?recursive=`: one page holding every entry."""
    repo = readable_repo(request)
    commit = hub(request).storage.resolve(repo, request.path_params["revision"])
    folder = request.path_params.get("path", "").strip("/")
    if folder:
        validate_path(folder)
    recursive = request.query_params.get("recursive", "false").lower() in ("1", "true")
    entries = tree_json(commit, folder, recursive)
    return JSONResponse(
        expanded(request, repo, commit.id, entries, request.query_params.get("expand", ""))
    )


async def paths_info(request: Request) -> JSONResponse:
    """`POST .../paths-info/{rev}` with form fields `paths` (repeated): existing ones only."""
    repo = readable_repo(request)
    commit = hub(request).storage.resolve(repo, request.path_params["revision"])
    body = await read_body(request, hub(request).limits.json_bytes)
    try:
        form = parse_qs(body.decode("utf-8"), errors="strict")
    except UnicodeDecodeError as error:
        raise HubError(400, "The paths-info form is not valid UTF-8") from error
    folders = folders_of(commit)
    answer = []
    for path in (p.strip("/") for p in form.get("paths", [])):
        if path in commit.files:
            answer.append(file_json(path, commit.files[path]))
        elif path in folders:
            answer.append(folder_json(path, commit))
    return JSONResponse(expanded(request, repo, commit.id, answer, form.get("expand", [""])[0]))


async def list_commits(request: Request) -> JSONResponse:
    """`GET .../commits/{rev}`: the whole history, newest first, in one page."""
    repo = readable_repo(request)
    history = hub(request).storage.history(repo, request.path_params["revision"])
    return JSONResponse([commit_json(commit) for commit in history])


def caller_name(request: Request) -> str:
    """The caller's user name; 401 when anonymous."""
    token = hub(request).auth.caller(request)
    if token is None:
        raise HubError(401, "You must be authenticated with a token to do this")
    return token.user


async def whoami(request: Request) -> JSONResponse:
    """`GET /api/whoami-v2`: the caller's user and token role; 401 when anonymous."""
    token = hub(request).auth.caller(request)
    if token is None:
        raise HubError(401, "Invalid credentials in Authorization header")
    access = {"displayName": f"{token.user}-{token.role}", "role": token.role}
    return JSONResponse(
        {
            "type": "user",
            "id": token.user,
            "name": token.user,
            "fullname": token.user,
            "orgs": [],
            "isPro": False,
            "auth": {"type": "access_token", "accessToken": access},
        }
    )


async def agent_harnesses(request: Request) -> JSONResponse:
    """`GET /api/agent-harnesses`: huggingface_hub's telemetry registry; empty (nothing detected)."""
    return JSONResponse({"standardEnvVars": [], "harnesses": {}})


async def validate_yaml(request: Request) -> JSONResponse:
    """`POST /api/validate-yaml`: the model card metadata is not checked here."""
    field(await read_json(request), "content", str, "validate-yaml", default="")
    return JSONResponse({"errors": [], "warnings": []})


ROUTES = [
    Route("/api/repos/create", create_repo, methods=["POST"]),
    Route("/api/whoami-v2", whoami, methods=["GET"]),
    Route("/api/validate-yaml", validate_yaml, methods=["POST"]),
    Route("/api/agent-harnesses", agent_harnesses, methods=["GET"]),
    Route(API, repo_info, methods=["GET"]),
    Route(API + "/revision/{revision}", repo_info, methods=["GET"]),
    Route(API + "/tree/{revision}", tree, methods=["GET"]),
    Route(API + "/tree/{revision}/{path:path}", tree, methods=["GET"]),
    Route(API + "/paths-info/{revision}", paths_info, methods=["POST"]),
    Route(API + "/commits/{revision}", list_commits, methods=["GET"]),
]
