"""Task 6.6: serve requests in batches from a bounded queue, with one-by-one outputs."""

from __future__ import annotations

import queue
from typing import Any

import pytest
import torch
from transformers import AutoTokenizer

from hfkatas.testing.models import TINY_LLAMA, ZooModel, ZooModels

PROMPTS = [
    "The film",
    "A quiet, patient and beautifully acted story about",
    "Nothing works here:",
    "I laughed",
    "The second half drags, but the ending",
    "Worth it",
    "Two hours of noise and",
]
NEW_TOKENS = 8


def _alone(model: Any, repo_id: str, prompt: str) -> str:
    """Greedy generation of one prompt, no padding: what every served completion must equal."""
    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    inputs = tokenizer(prompt, return_tensors="pt")
    with torch.no_grad():
        output = model.generate(
            **inputs,
            max_new_tokens=NEW_TOKENS,
            do_sample=False,
            pad_token_id=tokenizer.eos_token_id,
        )
    return tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)


@pytest.fixture(scope="module")
def alone(zoo_models: ZooModels) -> list[str]:
    model, _, repo_id = zoo_models.load(TINY_LLAMA)
    return [_alone(model, repo_id, prompt) for prompt in PROMPTS]


class BatchSizes:
    """Wraps model.generate and records the batch size of each call."""

    def __init__(self, model: Any) -> None:
        self.original = model.generate
        self.sizes: list[int] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        input_ids = next(
            (kwargs[name] for name in ("input_ids", "inputs") if kwargs.get(name) is not None),
            args[0] if args else None,
        )
        self.sizes.append(int(input_ids.shape[0]))
        return self.original(*args, **kwargs)


@pytest.mark.task("6.6")
@pytest.mark.timeout(60)
def test_batched_completions_equal_one_by_one_generation(
    kata: Any, tiny_llama: ZooModel, alone: list[str], monkeypatch: Any
) -> None:
    model = tiny_llama.model
    spy = BatchSizes(model)
    monkeypatch.setattr(model, "generate", spy)
    server = kata.BatchServer(
        model,
        tiny_llama.tokenizer,
        max_batch_size=3,
        max_queue=len(PROMPTS),
        max_new_tokens=NEW_TOKENS,
    )
    tickets = [server.submit(prompt) for prompt in PROMPTS]
    assert tickets == list(range(len(PROMPTS))), (
        f"submit should hand out tickets 0, 1, 2, ... in order, got {tickets}"
    )
    first = server.step()
    assert sorted(first) == [0, 1, 2], (
        f"step() serves the oldest waiting requests, at most max_batch_size=3: expected tickets "
        f"[0, 1, 2], got {sorted(first)}"
    )
    done = {**first, **server.drain()}
    assert spy.sizes == [3, 3, 1], (
        f"7 requests with max_batch_size=3 take generate calls of 3, 3 and 1 prompts; yours had "
        f"{spy.sizes}"
    )
    for ticket, prompt in enumerate(PROMPTS):
        got = done.get(ticket)
        assert not (got and prompt in got and prompt not in alone[ticket]), (
            f"request {ticket} ({prompt!r}) came back as {got!r}, prompt included: generate "
            "returns the prompt followed by the new tokens; decode only the new tokens"
        )
        assert got == alone[ticket], (
            f"request {ticket} ({prompt!r}) came back as {got!r} but alone it generates "
            f"{alone[ticket]!r}: in a batch, pad on the LEFT and pass the attention mask (a "
            "decoder continues from the last position), and skip special tokens when decoding"
        )
    assert server.step() == {}, "once the queue is empty, step() returns an empty dict"


@pytest.mark.task("6.6")
@pytest.mark.timeout(60)
def test_the_queue_is_bounded(kata: Any, tiny_llama: ZooModel, expect_error: Any) -> None:
    server = kata.BatchServer(
        tiny_llama.model, tiny_llama.tokenizer, max_batch_size=2, max_queue=2, max_new_tokens=2
    )
    server.submit(PROMPTS[0])
    server.submit(PROMPTS[1])
    expect_error(
        queue.Full,
        lambda: server.submit(PROMPTS[2]),
        "with max_queue=2 requests waiting, a third submit must be refused: keep the waiting "
        "requests in a queue.Queue(maxsize=max_queue) and put_nowait",
    )
    server.step()
    assert server.submit(PROMPTS[2]) == 2, (
        "after step() frees the queue, submit accepts requests again (this one gets ticket 2)"
    )


@pytest.mark.task("6.6")
@pytest.mark.timeout(30)
@pytest.mark.parametrize("sizes", [{"max_batch_size": 0}, {"max_queue": 0}, {"max_new_tokens": 0}])
def test_sizes_below_one_are_refused(
    kata: Any,
    tiny_llama: ZooModel,
    sizes: dict[str, int],
    expect_error: Any,
) -> None:
    expect_error(
        ValueError,
        lambda: kata.BatchServer(tiny_llama.model, tiny_llama.tokenizer, **sizes),
        f"BatchServer(..., {', '.join(f'{k}={v}' for k, v in sizes.items())}) cannot serve "
        "anything: check every size is at least 1 in __init__ and raise a ValueError",
    )
