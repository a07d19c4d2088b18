"""Fixtures for the local Hub's contract tests (the bodies live in `hfkatas.hub.testing`)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest

from hfkatas.hub.testing import HubHandle, running_hub, use_endpoint

_names = itertools.count()


@pytest.fixture(scope="session")
def hub_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubHandle]:
    """One local Hub for the session, in a background thread."""
    with running_hub(tmp_path_factory.mktemp("hub-data")) as handle:
        yield handle


@pytest.fixture
def hub(hub_server: HubHandle, tmp_path: Path) -> Iterator[HubHandle]:
    """The session's Hub, with every client pointed at it as the logged-in `learner`.

    Fails the test if the clients called a route the server does not implement."""
    seen = len(hub_server.unknown_routes)
    with use_endpoint(hub_server.url, hub_server.write_token, tmp_path / "hf"):
        yield hub_server
    unknown = hub_server.unknown_routes[seen:]
    del hub_server.unknown_routes[seen:]
    if unknown:
        pytest.fail(f"the clients called routes the local Hub does not implement: {unknown}")


@pytest.fixture
def repo_name(request: pytest.FixtureRequest) -> str:
    """A repo name unique in the session, e.g. `test-push-model-3`."""
    return f"{request.node.originalname.replace('_', '-')[:60]}-{next(_names)}"


@pytest.fixture
def client(hub: HubHandle) -> Iterator[httpx2.Client]:
    """An HTTP client for the Hub, authenticated as the learner with the write token."""
    headers = {"Authorization": f"Bearer {hub.write_token}"}
    with httpx2.Client(base_url=hub.url, headers=headers, timeout=30) as http:
        yield http


@pytest.fixture
def repo_id(client: httpx2.Client, hub: HubHandle, repo_name: str) -> str:
    """A fresh public model repo of the learner."""
    assert client.post("/api/repos/create", json={"name": repo_name}).status_code == 200
    return f"{hub.user}/{repo_name}"


@pytest.fixture
def raw_commit(client: httpx2.Client) -> Callable[..., httpx2.Response]:
    """`raw_commit(repo_id, *lines, header=..., client=...)`: POST an ndjson commit to main, each
    line a JSON value or raw bytes, after a header line (`header=False`: none)."""

    def post(
        repo_id: str,
        *lines: object,
        header: dict | bool | None = None,
        client: httpx2.Client = client,
    ) -> httpx2.Response:
        head = {"key": "header", "value": header or {"summary": "raw commit"}}
        body = [head] if header is not False else []
        encoded = [x if isinstance(x, bytes) else json.dumps(x).encode() for x in [*body, *lines]]
        return client.post(
            f"/api/models/{repo_id}/commit/main",
            content=b"\n".join(encoded),
            headers={"Content-Type": "application/x-ndjson"},
        )

    return post
