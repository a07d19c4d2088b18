"""Shared inputs for kata 05: a Hub to push to, fresh repo names, tiny models and a dataset.

By default every test talks to a local Hub server (`hfkatas.hub`) on 127.0.0.1, through the real
`huggingface_hub`, `transformers`, `peft` and `datasets` clients. The test session fails if the
clients called a route that server does not know.

Opt-in, by hand and never in CI: `KATAS_REAL_HUB=1 HF_TOKEN=hf_... pytest katas/05_hub` runs the
same tests against huggingface.co, in throwaway private repos that are deleted afterwards. Only in
that mode, and only while a test runs, the network guard of the kata plugin is lifted.
"""

from __future__ import annotations

import copy
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from hfkatas.hub.testing import HubHandle, running_hub, use_endpoint
from hfkatas.plugin import netguard
from hfkatas.testing.models import ZooModel, load_causal_lm

REAL_HUB_URL = "https://huggingface.co"
# The kata plugin hides the learner's tokens; with KATAS_REAL_HUB=1 it keeps HF_TOKEN aside first.
REAL_HUB = os.environ.get("KATAS_REAL_HUB") == "1"
REAL_HUB_TOKEN = os.environ.get("KATAS_REAL_HUB_TOKEN") or os.environ.get("HF_TOKEN")
LOCAL_ONLY_REASON = "needs the local Hub's second user and read-only token (not on huggingface.co)"


@pytest.fixture(scope="session")
def hub_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubHandle]:
    """The Hub of this session: a local server in a background thread, or huggingface.co."""
    if not REAL_HUB:
        with running_hub(tmp_path_factory.mktemp("hub-data")) as handle:
            yield handle
        return
    if not REAL_HUB_TOKEN:
        pytest.skip(
            "KATAS_REAL_HUB=1 needs a write token: run `KATAS_REAL_HUB=1 HF_TOKEN=hf_... "
            "pytest katas/05_hub`"
        )
    home = tmp_path_factory.mktemp("real-hub")
    with netguard.lifted(), use_endpoint(REAL_HUB_URL, REAL_HUB_TOKEN, home):
        import huggingface_hub as hh

        user = hh.whoami()["name"]
    yield HubHandle(
        REAL_HUB_URL,
        home,
        user=user,
        write_token=REAL_HUB_TOKEN,
        read_token="",
        other_user="",
        other_token="",
    )


@pytest.fixture
def hub(hub_server: HubHandle, tmp_path: Path) -> Iterator[HubHandle]:
    """Every client pointed at the session's Hub, logged in (HF_TOKEN) as its user.

    Environment changes made inside a test are undone when it ends."""
    seen = len(hub_server.unknown_routes)
    with ExitStack() as stack:
        if REAL_HUB:
            stack.enter_context(netguard.lifted())
        stack.enter_context(use_endpoint(hub_server.url, hub_server.write_token, tmp_path / "hf"))
        yield hub_server
    unknown = hub_server.unknown_routes[seen:]
    del hub_server.unknown_routes[seen:]
    assert not unknown, f"the clients called routes the local Hub does not implement: {unknown}"


@pytest.fixture
def local_hub(hub: HubHandle) -> HubHandle:
    """The local Hub, for tests that need its second user or its read-only token."""
    if REAL_HUB:
        pytest.skip(LOCAL_ONLY_REASON)
    return hub


@pytest.fixture
def use_token(hub: HubHandle, tmp_path: Path) -> Iterator[Callable[[str | None], None]]:
    """`use_token(secret)` puts another token in HF_TOKEN (None: no token) for the rest of
    the test. Like another person on another machine, it starts with an empty download cache:
    files the owner's clients cached earlier in the test are not there to fall back on."""
    with ExitStack() as stack:

        def switch(secret: str | None) -> None:
            home = tmp_path / f"hf-as-{uuid.uuid4().hex[:8]}"
            stack.enter_context(use_endpoint(hub.url, secret, home))

        yield switch


@pytest.fixture
def repo_name(hub: HubHandle, request: pytest.FixtureRequest) -> Iterator[str]:
    """A repo name no other test uses (on huggingface.co: deleted after the test)."""
    slug = request.node.originalname.removeprefix("test_")[:32].strip("_").replace("_", "-")
    name = f"katas-05-{slug}-{uuid.uuid4().hex[:8]}"
    yield name
    if REAL_HUB:
        import huggingface_hub as hh

        for repo_type in ("model", "dataset"):
            hh.delete_repo(f"{hub.user}/{name}", repo_type=repo_type, missing_ok=True)


@pytest.fixture
def repo_id(hub: HubHandle, repo_name: str) -> str:
    """`user/name` of a repo that does not exist yet."""
    return f"{hub.user}/{repo_name}"


@pytest.fixture
def hub_api(hub: HubHandle) -> Any:
    """An `HfApi` logged in as the Hub's user: what tests use to look at the server's state."""
    import huggingface_hub as hh

    return hh.HfApi(endpoint=hub.url, token=hub.write_token)


# ---------------------------------------------------------------- models and data


@pytest.fixture(scope="session")
def resized_llama(zoo) -> ZooModel:
    """A resized tiny Llama and its tokenizer, loaded once from the offline zoo."""
    from transformers import AutoTokenizer

    repo = zoo.variant("tiny-causal", hidden_size=32, intermediate_size=64)
    return ZooModel(load_causal_lm(repo), AutoTokenizer.from_pretrained(repo), repo)


@pytest.fixture
def model(resized_llama: ZooModel) -> Any:
    """A fresh copy of the tiny model, safe to change."""
    return copy.deepcopy(resized_llama.model)


@pytest.fixture
def tokenizer(resized_llama: ZooModel) -> Any:
    return copy.deepcopy(resized_llama.tokenizer)


def _perturbed(model: Any, seed: int) -> Any:
    """A copy of `model` with different weights (a "second training run")."""
    import torch

    changed = copy.deepcopy(model)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in changed.parameters():
            parameter.add_(torch.randn(parameter.shape, generator=generator) * 0.1)
    return changed


def _same_weights(left: Any, right: Any) -> bool:
    import torch

    a, b = left.state_dict(), right.state_dict()
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.fixture
def perturbed() -> Callable[[Any, int], Any]:
    """`perturbed(model, seed)`: a copy of `model` with other weights (a second training run)."""
    return _perturbed


@pytest.fixture
def same_weights() -> Callable[[Any, Any], bool]:
    """`same_weights(a, b)`: whether two models hold exactly the same tensors."""
    return _same_weights


@pytest.fixture
def pushed_model(hub, repo_id, model, tokenizer) -> str:
    """`repo_id` holding the tiny model and its tokenizer, pushed with the library (private)."""
    model.push_to_hub(repo_id, private=True)
    tokenizer.push_to_hub(repo_id)
    return repo_id


@pytest.fixture
def lora_model(model) -> Any:
    """The tiny model wrapped with a LoRA adapter whose weights are not zero (so it matters)."""
    import peft
    import torch

    torch.manual_seed(0)
    config = peft.LoraConfig(
        r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False
    )
    return peft.get_peft_model(model, config)


@pytest.fixture
def reviews() -> Any:
    """A small labelled dataset with unique texts (so splits can be checked for overlap)."""
    from datasets import Dataset

    texts = [f"review number {i}: {'loved' if i % 3 else 'disliked'} it" for i in range(60)]
    return Dataset.from_dict({"text": texts, "label": [int("loved" in t) for t in texts]})
