"""Kata 06 · Production: choose a model for a budget, measure it fairly, serve it in batches,
and fine-tune it data-parallel on an existing engine (Trainer + torchrun)."""

from __future__ import annotations

import math  # noqa: F401
import queue  # noqa: F401  (6.6)
import statistics  # noqa: F401  (6.4)
import sys  # noqa: F401  (6.8)
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch  # noqa: F401
from transformers import AutoConfig, AutoModelForCausalLM, PretrainedConfig  # noqa: F401

from hfkatas.testing.production import sentiment_lines  # noqa: F401  (6.7)

PRECISIONS = ("float32", "bfloat16", "int8", "nf4")
FLOAT_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2}
QUANTIZED_BYTES = {"int8": 1.0, "nf4": 0.5}


# ---------------------------------------------------------------- 6.1 – 6.3 choosing


def estimate_weight_bytes(config: PretrainedConfig, precision: str = "float32") -> int:
    """Bytes the weights of a causal LM built from `config` take at `precision`.

    Float precisions store every parameter at that size. For "int8" and "nf4", bitsandbytes
    quantizes the Linear layers of the decoder (1 and 0.5 bytes a parameter) and keeps the rest
    (embeddings, norms, `lm_head`) in float32. An unknown precision raises `ValueError`.
    """
    # TODO 6.1: count the parameters without loading any weights, then price them
    raise NotImplementedError


def estimate_kv_cache_bytes(
    config: PretrainedConfig, *, batch_size: int, seq_len: int, dtype: str = "float32"
) -> int:
    """Bytes of the KV cache: keys and values of every layer for `batch_size` × `seq_len` tokens.

    `dtype` is a float dtype name (a key of FLOAT_BYTES); anything else raises `ValueError`.
    """
    # TODO 6.2: 2 (keys and values) × layers × batch × tokens × KV heads × head size × bytes
    raise NotImplementedError


def estimate_memory_bytes(
    config: PretrainedConfig, precision: str = "float32", *, batch_size: int = 1, seq_len: int = 0
) -> int:
    """Weights at `precision` plus the KV cache (float32 for quantized models, else `precision`)."""
    # TODO 6.2: add the two estimates
    raise NotImplementedError


@dataclass(frozen=True)
class Choice:
    """The model and precision picked for a budget, with the memory it is expected to need."""

    repo_id: str
    precision: str
    estimated_bytes: int


def choose_model(
    candidates: Sequence[str],
    *,
    memory_budget_bytes: int,
    precisions: Sequence[str] = PRECISIONS,
    batch_size: int = 1,
    seq_len: int = 128,
    latency_s: Mapping[str, float] | None = None,
    max_latency_s: float | None = None,
) -> Choice:
    """The largest candidate (most parameters) that fits the budget, at the most precise of
    `precisions` that fits (float32 > bfloat16 > int8 > nf4).

    Memory is `estimate_memory_bytes` for `batch_size` × `seq_len`. With `latency_s` (measured
    seconds per repo id) and `max_latency_s`, slower candidates are left out. When nothing fits,
    raise `ValueError` naming the smallest option (repo id, precision) and the memory it needs.
    """
    # TODO 6.3: estimate every (candidate, precision), keep what fits, pick the best
    raise NotImplementedError


# ---------------------------------------------------------------- 6.4 – 6.5 measuring


def median_seconds(
    fn: Callable[[], object],
    *,
    warmup: int = 1,
    repeats: int = 5,
    clock: Callable[[], float] = time.perf_counter,
    synchronize: Callable[[], None] | None = None,
) -> float:
    """Median wall time of `fn()` over `repeats` timed calls, after `warmup` untimed calls.

    Read the time only with `clock()`. `synchronize` (default: `torch.cuda.synchronize` when
    CUDA is available) runs before each clock read, so queued GPU work is counted in the call
    that queued it. `warmup < 0` or `repeats < 1` raises `ValueError`.
    """
    # TODO 6.4: warm up, then time each repeat on its own, and return the median
    raise NotImplementedError


@dataclass(frozen=True)
class GenerationStats:
    """What one batch size costs: latency to the first token, throughput and peak memory."""

    batch_size: int
    new_tokens: int
    seconds: float
    time_to_first_token_s: float
    tokens_per_second: float
    peak_memory_bytes: int | None


def measure_generation(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[str],
    *,
    max_new_tokens: int = 16,
    use_cache: bool = True,
    warmup: int = 1,
    repeats: int = 3,
    clock: Callable[[], float] = time.perf_counter,
) -> GenerationStats:
    """Greedy-generate exactly `max_new_tokens` for the batch `prompts` and measure it fairly.

    Every `generate` call gets the whole batch (left-padded) and `use_cache`. Time to first
    token is the `median_seconds` of a 1-token generation; `seconds` the `median_seconds` of the
    full generation, and tokens per second = batch × new tokens / seconds. Pass `warmup`,
    `repeats` and `clock` on to `median_seconds`. Peak memory is CUDA's `max_memory_allocated`
    over the timed runs, None on CPU.
    """
    # TODO 6.5: time a 1-token and a full generation with median_seconds
    raise NotImplementedError


# ---------------------------------------------------------------- 6.6 serving


class BatchServer:
    """Serve greedy generations in batches from a bounded queue.

    `submit` queues a prompt and returns a ticket (0, 1, 2, ...), or raises `queue.Full` when
    `max_queue` requests already wait; `step` generates the oldest waiting requests, at most
    `max_batch_size` in one `generate` call, and returns {ticket: completion}; `drain` steps
    until the queue is empty. A completion is the decoded new text (special tokens skipped),
    identical to greedy generation of that prompt alone. Sizes below 1 raise `ValueError`.
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        max_batch_size: int = 8,
        max_queue: int = 32,
        max_new_tokens: int = 16,
    ) -> None:
        # TODO 6.6: keep the model, the sizes and a bounded queue.Queue
        raise NotImplementedError

    def submit(self, prompt: str) -> int:
        # TODO 6.6
        raise NotImplementedError

    def step(self) -> dict[int, str]:
        # TODO 6.6
        raise NotImplementedError

    def drain(self) -> dict[int, str]:
        # TODO 6.6
        raise NotImplementedError


# ---------------------------------------------------------------- 6.7 – 6.8 scaling out


def train_lora(
    model_id: str,
    output_dir: str | Path,
    *,
    max_steps: int = 12,
    batch_size: int = 4,
    learning_rate: float = 1e-2,
    seed: int = 0,
) -> list[float]:
    """Fine-tune a LoRA adapter on movie-review lines with Trainer and return the logged loss
    of every step. Works alone and under torchrun (the engine splits the batches); only the
    main process saves the adapter into `output_dir`.

    Train on `sentiment_lines(32)`; a few dozen lines are plenty to see the loss fall.
    """
    # TODO 6.7: LoraConfig + get_peft_model, Trainer with logging_steps=1, save_model
    raise NotImplementedError


def torchrun_command(
    script: str | Path,
    *,
    nproc_per_node: int,
    master_port: int,
    script_args: Sequence[str] = (),
) -> list[str]:
    """The command that runs `script` on `nproc_per_node` processes of this machine with
    torchrun, talking over 127.0.0.1:`master_port`. `nproc_per_node < 1` raises `ValueError`."""
    # TODO 6.8: sys.executable -m torch.distributed.run ... (then finish train_ddp.py)
    raise NotImplementedError
