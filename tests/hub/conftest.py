"""Fixtures for the local Hub's contract tests (the bodies live in `hfkatas.hub.testing`)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

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
