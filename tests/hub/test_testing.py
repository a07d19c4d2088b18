"""`use_endpoint` switches the clients online to the local Hub and restores the session after."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hfkatas.hub.testing import HubHandle, use_endpoint

pytestmark = pytest.mark.timeout(60)


def client_settings() -> dict[str, object]:
    """Everything `use_endpoint` changes, as the clients see it."""
    import datasets.config
    import huggingface_hub.constants as constants
    import huggingface_hub.hf_api

    return {
        "endpoint": constants.ENDPOINT,
        "offline": constants.is_offline_mode(),
        "api": huggingface_hub.hf_api.api.endpoint,
        "cache": constants.HF_HUB_CACHE,
        "datasets_endpoint": datasets.config.HF_ENDPOINT,
        "datasets_offline": datasets.config.HF_HUB_OFFLINE,
        "env": {k: os.environ.get(k) for k in ("HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_TOKEN")},
    }


def test_use_endpoint_goes_online_and_restores(hub_server: HubHandle, tmp_path: Path) -> None:
    import huggingface_hub as hh

    before = client_settings()
    with use_endpoint(hub_server.url, hub_server.read_token, tmp_path):
        inside = client_settings()
        assert inside["endpoint"] == inside["api"] == inside["datasets_endpoint"] == hub_server.url
        assert inside["offline"] is False and inside["datasets_offline"] is False
        assert inside["cache"] == str(tmp_path / "hub")
        assert hh.whoami()["auth"]["accessToken"]["role"] == "read", "token used implicitly"
    assert client_settings() == before


def test_anonymous_endpoint_sends_no_token(hub_server: HubHandle, tmp_path: Path) -> None:
    import huggingface_hub as hh

    with (
        use_endpoint(hub_server.url, None, tmp_path),
        pytest.raises(hh.errors.LocalTokenNotFoundError),
    ):
        hh.whoami()
