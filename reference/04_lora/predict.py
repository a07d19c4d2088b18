"""Classify movie reviews with your fine-tuned adapter: base model + LoRA adapter → label words.

    python predict.py --base HuggingFaceTB/SmolLM2-135M-Instruct --adapter out "A lovely film."
    python predict.py --base HuggingFaceTB/SmolLM2-135M-Instruct --adapter out < reviews.txt

Prints one label (terrible, bad, mixed, good, great) per review, in order. The reviews come from
the arguments or, when there are none, one per line from standard input. `--adapter` is the
folder `train` saved to, or a repo id.
"""

from __future__ import annotations

import argparse
import sys

from hfkatas.paths import katas_home
from hfkatas.plugin import isolation

isolation.isolate(
    katas_home()
)  # before transformers is imported: repo ids resolve from the kata zoo

from lora import classify, load_finetuned  # noqa: E402


def _parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="repo id of the base model")
    parser.add_argument("--adapter", required=True, help="folder or repo id of the LoRA adapter")
    parser.add_argument("--merge", action="store_true", help="merge the adapter into the base")
    parser.add_argument("reviews", nargs="*", help="reviews to classify (default: stdin lines)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Load base + adapter with `load_finetuned`, then print `classify`'s label for each review."""
    args = _parse_args(argv)
    reviews = args.reviews or [line.strip() for line in sys.stdin if line.strip()]
    if not reviews:
        raise SystemExit("no reviews to classify: pass them as arguments or on standard input")
    model, tokenizer = load_finetuned(args.base, args.adapter, merge=args.merge)
    for label in classify(model, tokenizer, reviews):
        print(label)


if __name__ == "__main__":
    main()
