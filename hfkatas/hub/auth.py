"""Tokens, users and who may do what (the rules, also in `hfkatas/hub/README.md`):
- A token belongs to a user (its NAME) and has a role, `read` or `write`.
- Anonymous clients (no token) may read public repos; they may not write (401).
- A read token may also read its user's private repos; writing with it answers 403.
- A write token may create repos in its user's namespace and write to them; other namespaces: 403.
- Private repos answer 404 RepoNotFound to everyone but their owner, exactly like the Hub.
- An unknown token answers 401 "Invalid credentials in Authorization header" on every route, public
  reads included (`RejectUnknownTokens`), so a typo in `HF_TOKEN` shows at once.
- A token's user name must be a valid namespace (refused at start-up otherwise).
- With no tokens configured, one user `learner` exists with the write token `DEFAULT_TOKEN`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import HubError, error_response, repo_not_found
from .names import is_valid_namespace
from .storage import Repo

Role = Literal["read", "write"]
DEFAULT_USER = "learner"
DEFAULT_TOKEN = "hf_katas_learner_write"


@dataclass(frozen=True)
class Token:
    """An access token: the user it belongs to, its role and its secret."""

    user: str
    role: Role
    secret: str

    @classmethod
    def parse(cls, spec: str) -> Token:
        """Parse `NAME:ROLE:SECRET` (the `--token` option)."""
        parts = spec.split(":", 2)
        if len(parts) != 3 or parts[1] not in ("read", "write") or not parts[0] or not parts[2]:
            raise ValueError(
                f"Invalid token {spec!r}: expected NAME:ROLE:SECRET with ROLE read or write"
            )
        return cls(parts[0], parts[1], parts[2]).checked()  # type: ignore[arg-type]

    def checked(self) -> Token:
        """This token, if its user name can own repos and its secret fits in a header."""
        if not is_valid_namespace(self.user):
            raise ValueError(
                f"Invalid user name {self.user!r}: a user owns the namespace of the same name, so "
                "use 1-96 letters, digits, '-', '_' or '.' (not a reserved name like 'api')"
            )
        if not self.secret.isascii() or not self.secret.isprintable() or " " in self.secret:
            raise ValueError(f"Invalid secret for {self.user}: use printable ASCII, no spaces")
        return self


DEFAULT_TOKENS = (Token(DEFAULT_USER, "write", DEFAULT_TOKEN),)


class Auth:
    """Maps the `Authorization: Bearer` header to a token and checks access to repos."""

    def __init__(self, tokens: tuple[Token, ...]) -> None:
        self.tokens = tuple(token.checked() for token in tokens) or DEFAULT_TOKENS
        self._by_secret = {token.secret: token for token in self.tokens}

    def caller(self, request: Request) -> Token | None:
        """The caller's token, None when anonymous; 401 for an unknown token."""
        header = request.headers.get("authorization")
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        token = self._by_secret.get(secret.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            raise HubError(401, "Invalid credentials in Authorization header")
        return token

    def require_writer(self, request: Request, namespace: str) -> Token:
        """The caller's write token for `namespace`; 401 anonymous, 403 read token or other namespace."""
        token = self.caller(request)
        if token is None:
            raise HubError(401, "You must be authenticated with a write token to do this")
        if token.role != "write":
            raise HubError(
                403, f"Token of {token.user} has the read role: writes need a write token"
            )
        if token.user != namespace:
            raise HubError(403, f"{token.user} may not write to the namespace {namespace}")
        return token

    def check_read(self, request: Request, repo: Repo) -> None:
        """404 RepoNotFound if the caller may not see `repo`."""
        if repo.private:
            token = self.caller(request)
            if token is None or token.user != repo.namespace:
                raise repo_not_found(repo.repo_id)

    def check_write(self, request: Request, repo: Repo) -> Token:
        """The caller's write token for `repo` (hiding private repos from others with a 404)."""
        self.check_read(request, repo)
        return self.require_writer(request, repo.namespace)


class RejectUnknownTokens:
    """ASGI middleware: a request with an unknown token answers 401 whatever its route."""

    def __init__(self, app: ASGIApp, auth: Auth) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            try:
                self.auth.caller(Request(scope))
            except HubError as error:
                await error_response(error)(scope, receive, send)
                return
        await self.app(scope, receive, send)
