"""Watch a model while a kata's generation or embedding code runs, and compute the expected
greedy continuation (tests and benchmarks).

The watchers wrap, never replace: `model.generate` and `model.forward` still run as usual, and
each call is recorded with the settings generation actually used, so tests can check *how* a
learner called the library (do_sample with a temperature, left padding, truncated prompts).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import torch

WATCHED_SETTINGS = (
    "do_sample",
    "temperature",
    "top_k",
    "top_p",
    "repetition_penalty",
    "max_new_tokens",
    "pad_token_id",
    "stop_strings",
)


@dataclass
class GenerateCall:
    """One call of `model.generate`: its inputs, effective settings, output and timing."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor | None
    settings: dict[str, Any]
    sequences: torch.Tensor | None = None
    finished_at: float = 0.0

    @property
    def prompt_length(self) -> int:
        return int(self.input_ids.shape[-1])

    @property
    def new_tokens(self) -> torch.Tensor:
        """The generated ids of every row (without the prompt)."""
        assert self.sequences is not None, "generate did not return"
        return self.sequences[:, self.prompt_length :]


@dataclass
class ForwardCall:
    """One forward pass: the sequence length it saw, when it started, and its inputs."""

    length: int
    started_at: float
    input_ids: torch.Tensor | None = None
    attention_mask: torch.Tensor | None = None


@dataclass
class ForwardLog:
    calls: list[ForwardCall] = field(default_factory=list)

    @property
    def longest(self) -> int:
        return max((call.length for call in self.calls), default=0)


def effective_settings(model: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The value generate will use for each watched setting: kwargs over config over defaults."""
    config = kwargs.get("generation_config") or model.generation_config
    return {name: kwargs.get(name, getattr(config, name, None)) for name in WATCHED_SETTINGS}


def _input_ids(args: tuple[Any, ...], kwargs: dict[str, Any]) -> torch.Tensor:
    ids = kwargs.get("input_ids", kwargs.get("inputs", args[0] if args else None))
    if not isinstance(ids, torch.Tensor):
        raise TypeError(
            "model.generate was called without a tensor of input ids: pass the tokenizer's "
            "output, e.g. `model.generate(**inputs, ...)`"
        )
    return ids


@contextmanager
def watch_generate(model: Any) -> Iterator[list[GenerateCall]]:
    """Record every `model.generate` call made inside the block (the real generate still runs)."""
    calls: list[GenerateCall] = []
    original: Callable[..., Any] = model.generate

    def spy(*args: Any, **kwargs: Any) -> Any:
        call = GenerateCall(
            _input_ids(args, kwargs),
            kwargs.get("attention_mask"),
            effective_settings(model, kwargs),
        )
        calls.append(call)
        output = original(*args, **kwargs)
        call.sequences = getattr(output, "sequences", output)
        call.finished_at = time.perf_counter()
        return output

    model.generate = spy
    try:
        yield calls
    finally:
        del model.generate


@contextmanager
def watch_forward(model: Any) -> Iterator[ForwardLog]:
    """Record the sequence length, start time and inputs of every forward pass inside the block."""
    log = ForwardLog()
    original: Callable[..., Any] = model.forward

    def spy(*args: Any, **kwargs: Any) -> Any:
        ids = kwargs.get("input_ids", args[0] if args else None)
        length = int(ids.shape[-1]) if isinstance(ids, torch.Tensor) else 0
        mask = kwargs.get("attention_mask")
        log.calls.append(ForwardCall(length, time.perf_counter(), ids, mask))
        return original(*args, **kwargs)

    model.forward = spy
    try:
        yield log
    finally:
        del model.forward


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def transformers_warnings() -> Iterator[list[str]]:
    """The warnings transformers logs inside the block (its logger does not reach pytest's)."""
    logger = logging.getLogger("transformers")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def count_new_tokens(call: GenerateCall, pad_token_id: int | None) -> int:
    """Generated tokens of a call, not counting the padding added after a row has finished."""
    new = call.new_tokens
    if pad_token_id is None:
        return int(new.numel())
    return int((new != pad_token_id).sum())


class Continuation(NamedTuple):
    """What greedy decoding adds to one prompt: the new token ids (1-D) and their text."""

    ids: torch.Tensor
    text: str


def greedy_continuation(
    model: Any, tokenizer: Any, prompt: str | torch.Tensor, max_new_tokens: int
) -> Continuation:
    """The expected greedy continuation of one prompt (a text, or its ids of shape (1, n)),
    straight from generate, as tests and benchmarks compute it for comparison."""
    if isinstance(prompt, str):
        input_ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
    else:
        input_ids = prompt
    with torch.no_grad():
        sequences = model.generate(
            input_ids=input_ids,
            attention_mask=torch.ones_like(input_ids),
            max_new_tokens=max_new_tokens,
            do_sample=False,
            pad_token_id=tokenizer.pad_token_id,
        )
    new = sequences[0, input_ids.shape[1] :]
    return Continuation(new, tokenizer.decode(new, skip_special_tokens=True))
