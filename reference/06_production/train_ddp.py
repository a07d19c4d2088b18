"""Launch with torchrun: fine-tune a LoRA adapter data-parallel and keep the loss of every step.

torchrun --nproc_per_node 2 train_ddp.py --model-id hf-katas/tiny-llama --output-dir out
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from production import train_lora


def _parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model-id", required=True)
    parser.add_argument("--output-dir", required=True, type=Path)
    parser.add_argument("--max-steps", type=int, default=12)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Train with `train_lora`; the main process (rank 0) writes the losses to losses.json."""
    args = _parse_args(argv)
    losses = train_lora(args.model_id, args.output_dir, max_steps=args.max_steps)
    if int(os.environ.get("RANK", "0")) == 0:
        (args.output_dir / "losses.json").write_text(json.dumps(losses))


if __name__ == "__main__":
    main()
