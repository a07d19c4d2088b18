"""Kata 06 · Production: choose a model for a budget, measure it fairly, serve it in batches,
and fine-tune it data-parallel on an existing engine (Trainer + torchrun)."""

from __future__ import annotations

import math
import queue
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import AutoConfig, AutoModelForCausalLM, PretrainedConfig

from hfkatas.testing.production import sentiment_lines

PRECISIONS = ("float32", "bfloat16", "int8", "nf4")
FLOAT_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2}
QUANTIZED_BYTES = {"int8": 1.0, "nf4": 0.5}


# ---------------------------------------------------------------- 6.1 – 6.3 choosing


def _check_precision(precision: str) -> None:
    known = (*FLOAT_BYTES, *QUANTIZED_BYTES)
    if precision not in known:
        raise ValueError(f"unknown precision {precision!r}: use one of {', '.join(known)}")


def estimate_weight_bytes(config: PretrainedConfig, precision: str = "float32") -> int:
    """Bytes the weights of a causal LM built from `config` take at `precision`.

    Float precisions store every parameter at that size. For "int8" and "nf4", bitsandbytes
    quantizes the Linear layers of the decoder (1 and 0.5 bytes a parameter) and keeps the rest
    (embeddings, norms, `lm_head`) in float32. An unknown precision raises `ValueError`.
    """
    _check_precision(precision)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    total = sum(p.numel() for p in model.parameters())
    if precision in FLOAT_BYTES:
        return total * FLOAT_BYTES[precision]
    output = model.get_output_embeddings()
    quantized = sum(
        module.weight.numel()
        for module in model.modules()
        if isinstance(module, torch.nn.Linear) and module is not output
    )
    return math.ceil(quantized * QUANTIZED_BYTES[precision] + (total - quantized) * 4)


def estimate_kv_cache_bytes(
    config: PretrainedConfig, *, batch_size: int, seq_len: int, dtype: str = "float32"
) -> int:
    """Bytes of the KV cache: keys and values of every layer for `batch_size` × `seq_len` tokens.

    `dtype` is a float dtype name (a key of FLOAT_BYTES); anything else raises `ValueError`.
    """
    if dtype not in FLOAT_BYTES:
        raise ValueError(
            f"the KV cache is stored in a float dtype, not {dtype!r}: use one of {', '.join(FLOAT_BYTES)}"
        )
    if batch_size < 0 or seq_len < 0:
        raise ValueError("batch_size and seq_len must be 0 or more")
    heads = getattr(config, "num_key_value_heads", None) or config.num_attention_heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    per_token = 2 * config.num_hidden_layers * heads * head_dim * FLOAT_BYTES[dtype]
    return batch_size * seq_len * per_token


def estimate_memory_bytes(
    config: PretrainedConfig, precision: str = "float32", *, batch_size: int = 1, seq_len: int = 0
) -> int:
    """Weights at `precision` plus the KV cache (float32 for quantized models, else `precision`)."""
    cache_dtype = precision if precision in FLOAT_BYTES else "float32"
    return estimate_weight_bytes(config, precision) + estimate_kv_cache_bytes(
        config, batch_size=batch_size, seq_len=seq_len, dtype=cache_dtype
    )


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
    if not candidates or not precisions:
        raise ValueError("give at least one candidate repo id and one precision")
    if (max_latency_s is None) != (latency_s is None):
        raise ValueError("give both latency_s (measured seconds per repo id) and max_latency_s")
    if latency_s is not None and (missing := [r for r in candidates if r not in latency_s]):
        raise ValueError(f"latency_s has no time for {', '.join(missing)}: measure every candidate")
    for precision in precisions:
        _check_precision(precision)
    options = []
    for repo_id in candidates:
        if latency_s is not None and latency_s[repo_id] > max_latency_s:  # type: ignore[operator]
            continue
        config = AutoConfig.from_pretrained(repo_id)
        size = estimate_weight_bytes(config, "float32")
        for rank, precision in enumerate(sorted(precisions, key=_precision_rank)):
            need = estimate_memory_bytes(config, precision, batch_size=batch_size, seq_len=seq_len)
            options.append((size, -rank, need, Choice(repo_id, precision, need)))
    if not options:
        raise ValueError(
            f"no candidate answers within {max_latency_s} s: the fastest measured is "
            f"{min(latency_s, key=latency_s.get)} ({min(latency_s.values()):.3f} s)"  # type: ignore[union-attr, arg-type]
        )
    fitting = [option for option in options if option[2] <= memory_budget_bytes]
    if fitting:
        return max(fitting, key=lambda option: option[:2])[3]
    smallest = min(options, key=lambda option: option[2])[3]
    raise ValueError(
        f"nothing fits in {memory_budget_bytes / 1e6:.1f} MB: the smallest option, "
        f"{smallest.repo_id} at {smallest.precision}, needs {smallest.estimated_bytes / 1e6:.1f} MB "
        f"(batch {batch_size} × {seq_len} tokens). Raise the budget to at least that, or use a "
        "smaller batch or sequence length."
    )


def _precision_rank(precision: str) -> float:
    """Most precise first: more bytes per parameter ranks earlier."""
    return -FLOAT_BYTES.get(precision, QUANTIZED_BYTES.get(precision, 0.0))


# ---------------------------------------------------------------- 6.4 – 6.5 measuring


def _default_synchronize() -> Callable[[], None] | None:
    return torch.cuda.synchronize if torch.cuda.is_available() else None


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
    if warmup < 0 or repeats < 1:
        raise ValueError(
            f"need warmup >= 0 and repeats >= 1, got warmup={warmup}, repeats={repeats}"
        )
    sync = synchronize or _default_synchronize() or (lambda: None)
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        sync()
        start = clock()
        fn()
        sync()
        times.append(clock() - start)
    return statistics.median(times)


@dataclass(frozen=True)
class GenerationStats:
    """What one batch size costs: latency to the first token, throughput and peak memory."""

    batch_size: int
    new_tokens: int
    seconds: float
    time_to_first_token_s: float
    tokens_per_second: float
    peak_memory_bytes: int | None


def _prepare_tokenizer(tokenizer: Any) -> None:
    """Decoder-only batches pad on the left, with the EOS token if there is no pad token."""
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"


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
    if not prompts:
        raise ValueError("give at least one prompt")
    if max_new_tokens < 1:
        raise ValueError("max_new_tokens must be at least 1")
    _prepare_tokenizer(tokenizer)
    inputs = tokenizer(list(prompts), return_tensors="pt", padding=True).to(model.device)
    on_cuda = model.device.type == "cuda"

    def generate(tokens: int) -> Callable[[], object]:
        def run() -> object:
            with torch.inference_mode():
                return model.generate(
                    **inputs,
                    max_new_tokens=tokens,
                    min_new_tokens=tokens,
                    do_sample=False,
                    use_cache=use_cache,
                    pad_token_id=tokenizer.pad_token_id,
                )

        return run

    timing = {"warmup": warmup, "repeats": repeats, "clock": clock}
    first = median_seconds(generate(1), **timing)  # type: ignore[arg-type]
    if on_cuda:
        torch.cuda.reset_peak_memory_stats(model.device)
    total = median_seconds(generate(max_new_tokens), **timing)  # type: ignore[arg-type]
    peak = torch.cuda.max_memory_allocated(model.device) if on_cuda else None
    batch = len(prompts)
    return GenerationStats(
        batch, max_new_tokens, total, first, batch * max_new_tokens / total, peak
    )


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
        if max_batch_size < 1 or max_queue < 1 or max_new_tokens < 1:
            raise ValueError("max_batch_size, max_queue and max_new_tokens must be at least 1")
        _prepare_tokenizer(tokenizer)
        self.model, self.tokenizer = model, tokenizer
        self.max_batch_size, self.max_new_tokens = max_batch_size, max_new_tokens
        self._waiting: queue.Queue[tuple[int, str]] = queue.Queue(maxsize=max_queue)
        self._next_ticket = 0

    def submit(self, prompt: str) -> int:
        if not isinstance(prompt, str) or not prompt:
            raise TypeError(f"a request is a non-empty prompt string, got {prompt!r}")
        ticket = self._next_ticket
        self._waiting.put_nowait((ticket, prompt))
        self._next_ticket += 1
        return ticket

    def step(self) -> dict[int, str]:
        batch = []
        while len(batch) < self.max_batch_size and not self._waiting.empty():
            batch.append(self._waiting.get_nowait())
        if not batch:
            return {}
        tickets, prompts = zip(*batch, strict=True)
        inputs = self.tokenizer(list(prompts), return_tensors="pt", padding=True)
        with torch.inference_mode():
            output = self.model.generate(
                **inputs.to(self.model.device),
                max_new_tokens=self.max_new_tokens,
                do_sample=False,
                pad_token_id=self.tokenizer.pad_token_id,
            )
        new = output[:, inputs["input_ids"].shape[1] :]
        texts = self.tokenizer.batch_decode(new, skip_special_tokens=True)
        return dict(zip(tickets, texts, strict=True))

    def drain(self) -> dict[int, str]:
        done: dict[int, str] = {}
        while step := self.step():
            done.update(step)
        return done


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
    from peft import LoraConfig, get_peft_model
    from transformers import (
        AutoTokenizer,
        DataCollatorForLanguageModeling,
        Trainer,
        TrainingArguments,
    )

    torch.manual_seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(model_id)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.float32)
    model = get_peft_model(
        model,
        LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"),
    )
    encoded = tokenizer(sentiment_lines(32), truncation=True, max_length=48)
    dataset = [
        {"input_ids": ids, "attention_mask": mask}
        for ids, mask in zip(encoded["input_ids"], encoded["attention_mask"], strict=True)
    ]
    args = TrainingArguments(
        output_dir=str(output_dir),
        max_steps=max_steps,
        per_device_train_batch_size=batch_size,
        learning_rate=learning_rate,
        logging_steps=1,
        save_strategy="no",
        report_to=[],
        seed=seed,
        use_cpu=not torch.cuda.is_available(),
        disable_tqdm=True,
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=dataset,
        data_collator=DataCollatorForLanguageModeling(tokenizer, mlm=False),
    )
    trainer.train()
    trainer.save_model(str(output_dir))
    return [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]


def torchrun_command(
    script: str | Path,
    *,
    nproc_per_node: int,
    master_port: int,
    script_args: Sequence[str] = (),
) -> list[str]:
    """The command that runs `script` on `nproc_per_node` processes of this machine with
    torchrun, talking over 127.0.0.1:`master_port`. `nproc_per_node < 1` raises `ValueError`."""
    if nproc_per_node < 1:
        raise ValueError("nproc_per_node must be at least 1")
    return [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nnodes=1",
        f"--nproc_per_node={nproc_per_node}",
        "--master_addr=127.0.0.1",
        f"--master_port={master_port}",
        str(script),
        *script_args,
    ]
