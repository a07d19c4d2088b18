"""Toolkit for kata 03 (quantization): quiet bitsandbytes, a held-out text, size estimates.

bitsandbytes logs two known, harmless messages on a CPU: one about a missing optional `kernels`
package when it is imported, and "MatMul8bitLt: inputs will be cast ..." on *every* 8-bit
matrix multiplication (hundreds per forward pass). `silence_bitsandbytes_noise()` drops exactly
those (and torch's deprecation burst at import), so learners see their own results; every other
bitsandbytes message still shows.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import torch

from hfkatas.quiet import install_noise_filters

CPU_PRECISIONS = ("fp32", "bf16", "int8", "nf4")

JIT_DEPRECATION = r"`torch\.jit\.script_method` is deprecated"

# Written for this course (never seen in training): plain English for perplexity measurements.
HELD_OUT_TEXT = """\
The river that runs past the old mill was once the busiest road in the valley. Before the \
railway came, barges carried grain, timber and wool down to the port, and every village along \
the bank had a landing where boats could tie up for the night. Children learned to swim in the \
slow water below the weir, and their parents argued about the price of flour at the market on \
Saturdays.

When the railway opened, the barges disappeared within ten years. The mill kept working for a \
while, grinding corn for local farms, but the machinery grew old and nobody wanted to pay for new \
stones. In the end the owner sold the building to the town for a small sum, on the condition \
that it would never be turned into flats.

Today the mill is a small museum. Visitors can walk through the rooms where the miller lived, \
look at the great wooden wheel, and read letters written by the families who worked there. One \
letter, from a girl of twelve, asks her brother to bring back a blue ribbon from the city and \
complains that the cat has eaten the last of the cheese. On quiet afternoons the only sound is \
the water, still running past the wall as it did two hundred years ago.
"""


def silence_bitsandbytes_noise() -> None:
    """Hide bitsandbytes' known harmless messages, then import it (idempotent).

    Importing bitsandbytes also imports a deprecated part of torch (`torch.utils.mkldnn`), which
    emits a burst of DeprecationWarnings about `torch.jit.script_method`: the first import
    happens here, with exactly those warnings ignored.
    """
    install_noise_filters()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", JIT_DEPRECATION, DeprecationWarning)
        import bitsandbytes  # noqa: F401


def quantizable_linear_parameters(
    model: torch.nn.Module, skip_modules: Iterable[str] = ("lm_head",)
) -> int:
    """How many weights sit in `nn.Linear` layers that bitsandbytes would quantize.

    Layers whose name ends with one of `skip_modules` stay in full precision (as the output layer
    `lm_head` does by default). Biases are never quantized, so they are not counted.
    """
    skipped = tuple(skip_modules)
    return sum(
        module.weight.numel()
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear)
        and not any(name == s or name.endswith(f".{s}") for s in skipped)
    )


def estimated_footprint(model: torch.nn.Module, bits: float, full_precision_bytes: int = 4) -> int:
    """Bytes a model takes when its quantizable linear weights are stored with `bits` bits each
    and every other parameter keeps `full_precision_bytes` bytes (scales and buffers excluded)."""
    quantized = quantizable_linear_parameters(model)
    kept = model.num_parameters() - quantized
    return int(kept * full_precision_bytes + quantized * bits / 8)


def precision_settings(precision: str) -> dict[str, Any]:
    """`from_pretrained` keyword arguments for the CPU precisions the kata compares.

    Quantized models get an explicit float32 dtype for the layers they keep in full precision
    (transformers 4.57 forces float16 when a BitsAndBytesConfig comes without a dtype)."""
    from transformers import BitsAndBytesConfig

    nf4 = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4")
    settings: dict[str, dict[str, Any]] = {
        "fp32": {"dtype": torch.float32},
        "bf16": {"dtype": torch.bfloat16},
        "int8": {
            "quantization_config": BitsAndBytesConfig(load_in_8bit=True),
            "dtype": torch.float32,
        },
        "nf4": {"quantization_config": nf4, "dtype": torch.float32},
    }
    if precision not in settings:
        raise ValueError(f"unknown precision {precision!r}: choose one of {sorted(settings)}")
    return settings[precision]


def load_causal_lm(repo_id: str, precision: str) -> Any:
    """A causal LM in `precision` ('fp32', 'bf16', 'int8' or 'nf4'), in eval mode."""
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(repo_id, **precision_settings(precision)).eval()
    if "quantization_config" in precision_settings(precision):
        _detach_from_checkpoint(model)
    return model


def _detach_from_checkpoint(model: torch.nn.Module) -> None:
    """Copy the tensors a quantized model keeps unquantized (embeddings, norms, buffers).

    They are views into the memory-mapped checkpoint, which keeps every page of the file that
    quantization read resident: about 430 MB per SmolLM2 copy, for 120 MB of real tensors."""
    with torch.no_grad():
        for tensor in (*model.parameters(), *model.buffers()):
            if type(tensor) in (torch.nn.Parameter, torch.Tensor):  # bitsandbytes' are quantized
                tensor.data = tensor.data.clone()


def greedy_continuation(model: Any, tokenizer: Any, prompt: str, max_new_tokens: int) -> str:
    """The greedy continuation of `prompt` (new text only), as tests compute it for comparison."""
    inputs = tokenizer(prompt, return_tensors="pt")
    with torch.no_grad():
        output = model.generate(**inputs, do_sample=False, max_new_tokens=max_new_tokens)
    return tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)


def figures_table(rows: list[dict[str, Any]]) -> str:
    """A markdown table of benchmark rows (precision, device, footprint, perplexity, seconds,
    optional GPU peak). Ratios and increases compare with the first row of the same device."""
    base: dict[str, dict[str, Any]] = {}
    lines = [
        "| precision | device | footprint | ratio | perplexity | increase | load | forward | peak GPU |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        ref = base.setdefault(row["device"], row)
        peak = f"{row['peak_bytes'] / 1e6:.0f} MB" if "peak_bytes" in row else "–"
        lines.append(
            f"| {row['precision']} | {row['device']} | {row['footprint'] / 1e6:.1f} MB "
            f"| {row['footprint'] / ref['footprint']:.3f} | {row['perplexity']:.2f} "
            f"| {row['perplexity'] / ref['perplexity'] - 1:+.1%} | {row['load_s']:.2f} s "
            f"| {row['forward_s']:.2f} s | {peak} |"
        )
    return "\n".join(lines)
