"""The Starlette application of the local Hub: routes, error handling and the 501 catch-all."""

from __future__ import annotations

import secrets
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import Route

from . import lfs, routes_commit, routes_files, routes_manage, routes_refs, routes_repos
from .auth import Auth, RejectUnknownTokens, Token
from .errors import HubError, handle_hub_error
from .state import HubState, Limits, hub
from .storage import Storage


async def not_implemented(request: Request) -> None:
    """Every route this server does not know: 501, logged in `HubState.unknown_routes`."""
    raise hub(request).record_unknown(request)


ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def create_app(
    data_dir: Path, tokens: tuple[Token, ...] = (), limits: Limits | None = None
) -> Starlette:
    """The Hub app storing its repos under `data_dir` (created if missing).

    With no `tokens`, the single user `learner` exists with the write token `auth.DEFAULT_TOKEN`.
    A token whose user name cannot be a namespace raises ValueError.
    """
    auth = Auth(tokens)
    routes = [
        *routes_manage.ROUTES,
        *routes_repos.ROUTES,
        *routes_refs.ROUTES,
        *routes_commit.ROUTES,
        *lfs.ROUTES,
        *routes_files.ROUTES,
        Route("/{path:path}", not_implemented, methods=ALL_METHODS),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(RejectUnknownTokens, auth=auth)],
        exception_handlers={HubError: handle_hub_error},
    )
    app.state.hub = HubState(
        storage=Storage(Path(data_dir)),
        auth=auth,
        limits=limits or Limits(),
        signing_key=secrets.token_bytes(32),
    )
    return app
