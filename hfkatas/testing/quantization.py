"""Kata 03 (quantization), shared by its tests and its benchmark: the precisions compared, a
held-out text, size estimates and the figures table. Loading a model in a precision is
`hfkatas.testing.models.load_causal_lm`; library noise is `hfkatas.testing.quiet`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

CPU_PRECISIONS = ("fp32", "bf16", "int8", "nf4")

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
