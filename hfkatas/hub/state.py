"""What every route needs: the server's state and helpers to read requests safely."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from starlette.requests import Request

from .auth import Auth
from .errors import HubError
from .names import RepoType, validate_repo_id
from .schema import JsonObject, json_object, parse_json
from .storage import Repo, Storage

log = logging.getLogger("hfkatas.hub")


@dataclass(frozen=True)
class Limits:
    """Upper bounds on request bodies, in bytes."""

    json_bytes: int = 1 << 20
    commit_bytes: int = 256 << 20
    lfs_bytes: int = 8 << 30
    unknown_routes: int = 1000  # entries kept in `HubState.unknown_routes`; later ones are counted


@dataclass
class HubState:
    """The server's state: storage, auth, limits, the log of unknown routes, the LFS URL signer key.

    The log is bounded (`Limits.unknown_routes` entries of at most 300 characters): past the limit,
    unknown requests are only counted in `unknown_dropped`."""

    storage: Storage
    auth: Auth
    limits: Limits
    signing_key: bytes
    unknown_routes: list[str] = field(default_factory=list)
    unknown_dropped: int = 0
    _unknown_lock: threading.Lock = field(default_factory=threading.Lock)

    def record_unknown(self, request: Request, what: str = "") -> HubError:
        """Log a request this server cannot answer and return the 501 error to raise."""
        entry = f"{request.method} {request.url.path[:200]}" + (f" ({what:.80})" if what else "")
        with self._unknown_lock:
            kept = len(self.unknown_routes) < self.limits.unknown_routes
            if kept:
                self.unknown_routes.append(entry)
            else:
                self.unknown_dropped += 1
        if kept:
            log.error("hfkatas hub: not implemented: %r", entry)
        return HubError(501, f"Not implemented by the hf-katas Hub: {entry}", "NotImplemented")


def hub(request: Request) -> HubState:
    """The state of the app serving `request`."""
    return request.app.state.hub


async def read_body(request: Request, limit: int) -> bytes:
    """The request body; 413 if it is larger than `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HubError(413, f"Request body larger than the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HubError(413, f"Request body larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json(request: Request) -> JsonObject:
    """The JSON object in the request body (bounded; empty means `{}`); 400 if it is not one."""
    body = await read_body(request, hub(request).limits.json_bytes)
    return json_object(parse_json(body or b"{}", "the request body"), "The request body")


def repo_type_of(request: Request) -> RepoType:
    """The repo type named by the route (`models`/`datasets` in the path)."""
    return "dataset" if request.path_params.get("kind") == "datasets" else "model"


def repo_id_of(request: Request) -> str:
    """The validated `namespace/name` from the route."""
    return validate_repo_id(request.path_params["namespace"], request.path_params["name"])


def readable_repo(request: Request) -> Repo:
    """The repo named by the route, if the caller may read it (404 RepoNotFound otherwise)."""
    state = hub(request)
    repo = state.storage.require_repo(repo_type_of(request), repo_id_of(request))
    state.auth.check_read(request, repo)
    return repo


def repo_url(request: Request, repo: Repo) -> str:
    """The web URL of a repo on this server, e.g. `http://127.0.0.1:8000/datasets/ns/name`."""
    prefix = "datasets/" if repo.repo_type == "dataset" else ""
    return f"{str(request.base_url).rstrip('/')}/{prefix}{repo.repo_id}"
