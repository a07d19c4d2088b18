"""The kata-testing toolkit's pytest plugin: the canonical fixtures every kata and benchmark uses.

| fixture            | gives                                                                 |
| ------------------ | --------------------------------------------------------------------- |
| `tiny_llama`       | `ZooModel(model, tokenizer, repo_id)`: the catalog tiny Llama          |
| `smollm2`          | `ZooModel`: SmolLM2-135M-Instruct (zoo role "chat") as shipped         |
| `minilm`           | `ZooModel`: all-MiniLM-L6-v2 (zoo role "embed"), the bare encoder      |
| `stand_in_llama`   | `ZooModel`: the tiny Llama on the `meta` GPU stand-in (`stand_in`)     |
| `stand_in_minilm`  | `ZooModel`: MiniLM on the `meta` GPU stand-in                         |
| `zoo_models`       | `ZooModels`: the session's loaded catalog models, for session fixtures |
| `expect_error`     | `hfkatas.testing.expect.expect_error`                                 |
| `from_pretrained_calls` | every model `from_pretrained` call of the test (they still run) |
| `show`             | `show("chat answer", reply)`: the learner's result, under its task     |

Each model is loaded once per session (float32, eval mode); every test gets it back in eval mode
with its generation config as loaded, and a fresh tokenizer of its own (tests and learner code
may change a tokenizer). The models are released when the run moves on to another folder.

The plugin also applies `hfkatas.testing.quiet` once per run: its warning filters at start-up,
the rest with the zoo (`settle_process`, called by the `zoo` fixture).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from hfkatas.testing.models import MINILM, SMOLLM2, TINY_LLAMA, ZooModel, ZooModels
from hfkatas.testing.quiet import IGNORED_WARNINGS

if TYPE_CHECKING:
    from hfkatas.zoo import Zoo

_MODELS = pytest.StashKey[ZooModels]()


def pytest_configure(config: pytest.Config) -> None:
    for line in IGNORED_WARNINGS:
        config.addinivalue_line("filterwarnings", line)


@pytest.fixture(scope="session")
def zoo_models(zoo: Zoo, pytestconfig: pytest.Config) -> ZooModels:
    """The catalog models of this session, each loaded once: `zoo_models.load("chat")`."""
    models = ZooModels(zoo)
    pytestconfig.stash[_MODELS] = models
    return models


@pytest.fixture
def tiny_llama(zoo_models: ZooModels) -> ZooModel:
    """The catalog tiny Llama (no pad token of its own, generation config without a pad id)."""
    return zoo_models.load(TINY_LLAMA)


@pytest.fixture
def smollm2(zoo_models: ZooModels) -> ZooModel:
    """SmolLM2-135M-Instruct (zoo role "chat") as shipped: pad token = EOS, padding on the right."""
    return zoo_models.load(SMOLLM2)


@pytest.fixture
def minilm(zoo_models: ZooModels) -> ZooModel:
    """all-MiniLM-L6-v2 (zoo role "embed") loaded with AutoModel (the bare encoder, no head)."""
    return zoo_models.load(MINILM)


@pytest.fixture
def stand_in_llama(zoo_models: ZooModels) -> ZooModel:
    """The tiny Llama on PyTorch's `meta` device (a GPU stand-in): calling it records where its
    inputs are and stops (see `hfkatas.testing.stand_in`)."""
    return zoo_models.stand_in(TINY_LLAMA)


@pytest.fixture
def stand_in_minilm(zoo_models: ZooModels) -> ZooModel:
    """all-MiniLM-L6-v2 on the `meta` GPU stand-in, like `stand_in_llama`."""
    return zoo_models.stand_in(MINILM)


@pytest.fixture
def expect_error() -> Callable[..., Any]:
    """`expect_error(ValueError, lambda: ..., fix, mentions=())`: the error raised, or a failure
    saying `fix` (see `hfkatas.testing.expect`)."""
    from hfkatas.testing.expect import expect_error

    return expect_error


@pytest.fixture
def from_pretrained_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every model `from_pretrained` call from now on, as `Class.from_pretrained('source')`
    (each call still runs): to check that code does not load a model it does not need."""
    from transformers import PreTrainedModel

    calls: list[str] = []
    original = PreTrainedModel.from_pretrained.__func__  # type: ignore[attr-defined]

    def spy(cls: type, *args: Any, **kwargs: Any) -> Any:
        source = args[0] if args else kwargs.get("pretrained_model_name_or_path")
        calls.append(f"{cls.__name__}.from_pretrained({str(source)!r})")
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(PreTrainedModel, "from_pretrained", classmethod(spy))
    return calls


@pytest.fixture
def show(request: pytest.FixtureRequest) -> Callable[[str, object], None]:
    """`show("chat answer", reply)`: list a result of the learner's code under its task once the
    task passes (`katas check`, the closing summary). It never changes the verdict."""
    from hfkatas.plugin.shown import recorder

    return recorder(request.node.user_properties)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """Release the session's models when the next test lies in another folder (memory: each
    kata loads its own models; a run that comes back loads them again)."""
    models = item.config.stash.get(_MODELS, None)
    if models is None or nextitem is None or nextitem.path.parent == item.path.parent:
        return
    if models.release():
        gc.collect()
