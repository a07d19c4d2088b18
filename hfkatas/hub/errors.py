"""Errors answered in the Hub's style: a JSON body plus `X-Error-Code` / `X-Error-Message` headers.

The headers are what `huggingface_hub.utils.hf_raise_for_status` reads to raise its precise exception
types (`RepositoryNotFoundError`, `RevisionNotFoundError`, `EntryNotFoundError`, ...).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response


class HubError(Exception):
    """An error answered to the client with `status`, an optional Hub error code and a message."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


def repo_not_found(repo_id: str) -> HubError:
    """404 for a repo that does not exist or that the caller may not see (private)."""
    return HubError(404, f"Repository not found: {repo_id}", "RepoNotFound")


def revision_not_found(revision: str) -> HubError:
    """404 for an unknown branch or commit."""
    return HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")


def entry_not_found(path: str) -> HubError:
    """404 for a file or folder that does not exist at the revision."""
    return HubError(404, f"Entry not found: {path}", "EntryNotFound")


def header_safe(text: str, limit: int = 500) -> str:
    """`text` as a header value: printable ASCII only (other characters escaped), bounded, no
    whitespace at either end.

    HTTP headers are Latin-1 without control characters: a raw `模型.bin` or NUL byte in a header
    would crash the response. The JSON body keeps the message as it is."""
    escaped = "".join(
        char if " " <= char <= "~" else char.encode("unicode_escape").decode("ascii")
        for char in text[:limit]
    )
    return escaped.strip() + ("..." if len(text) > limit else "")


def error_response(error: HubError) -> Response:
    """The HTTP response for `error`."""
    headers = {"X-Error-Message": header_safe(error.message)}
    if error.code:
        headers["X-Error-Code"] = error.code
    return JSONResponse({"error": error.message}, status_code=error.status, headers=headers)


async def handle_hub_error(request: Request, exc: Exception) -> Response:
    """Starlette exception handler for `HubError`."""
    assert isinstance(exc, HubError)
    return error_response(exc)
