"""Launch with torchrun: fine-tune a LoRA adapter data-parallel and keep the loss of every step.

torchrun --nproc_per_node 2 train_ddp.py --model-id hf-katas/tiny-llama --output-dir out
"""

from __future__ import annotations

import argparse
import json  # noqa: F401
import os  # noqa: F401
from pathlib import Path

from production import train_lora  # noqa: F401


def _parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model-id", required=True)
    parser.add_argument("--output-dir", required=True, type=Path)
    parser.add_argument("--max-steps", type=int, default=12)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Train with `train_lora`; the main process (rank 0) writes the losses to losses.json."""
    # TODO 6.8: every process trains; only RANK 0 writes <output-dir>/losses.json
    raise NotImplementedError


if __name__ == "__main__":
    main()
