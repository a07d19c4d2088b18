"""Kata 04 · LoRA fine-tuning: rate movie reviews on a 5-level scale with a LoRA-tuned SmolLM2.

Read the task in README.md, replace `raise NotImplementedError` with your code, and run
`pytest katas/04_lora`. Everything you need is imported below.
"""

from __future__ import annotations

import bisect  # noqa: F401  (everything this kata needs is imported for you)
import time  # noqa: F401
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import torch
from datasets import Dataset, DatasetDict
from matplotlib.figure import Figure
from peft import (  # noqa: F401
    LoraConfig,
    PeftModel,
    TaskType,
    get_peft_model,
    prepare_model_for_kbit_training,
)
from transformers import (  # noqa: F401
    AutoModelForCausalLM,
    AutoTokenizer,
    BitsAndBytesConfig,
    DataCollatorForSeq2Seq,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    Trainer,
    TrainingArguments,
    set_seed,
)
from transformers.pytorch_utils import Conv1D  # noqa: F401  (GPT-2's linear layer)

# The five answers, worst to best, and the rating edges between them (mean rating -4..+4):
# rating < -2 → "terrible", -2 ≤ rating < -0.5 → "bad", ... , rating ≥ 2 → "great".
LABELS = ("terrible", "bad", "mixed", "good", "great")
THRESHOLDS = (-2.0, -0.5, 0.5, 2.0)
# The prompt is PROMPT_HEAD + review + PROMPT_TAIL; the answer is " " + label word + EOS.
PROMPT_HEAD = "Review: "
PROMPT_TAIL = "\nSentiment:"
METHODS = ("lora", "qlora", "full")


class RawRow(Protocol):
    """One raw record: strings as read from the file (`hfkatas.data.movie_reviews.RawRecord`)."""

    id: str
    rating: str
    text: str


@dataclass(frozen=True)
class Evaluation:
    """`accuracy` of the predicted label and mean cross-entropy `loss` of the answer tokens."""

    accuracy: float
    loss: float


@dataclass(frozen=True)
class EpochLoss:
    """Mean training loss over one epoch and the validation loss at its end."""

    epoch: float
    train_loss: float
    eval_loss: float


@dataclass
class TrainResult:
    """What `train` returns: the trained model, its tokenizer, losses per epoch, seconds per
    training step (evaluation excluded)."""

    model: Any
    tokenizer: PreTrainedTokenizerBase
    history: list[EpochLoss] = field(default_factory=list)
    seconds_per_step: float = 0.0


def rating_to_label(rating: float) -> int:
    """The index in `LABELS` of a mean rating in -4..+4 (bucket edges in `THRESHOLDS`)."""
    # TODO 4.1
    raise NotImplementedError


def build_splits(
    records: Iterable[RawRow], n_train: int, n_validation: int, seed: int = 0
) -> tuple[DatasetDict, int]:
    """Clean raw records and split them into seeded `train` / `validation` datasets.

    Records with empty text or an unparsable rating are dropped and counted. Each example has
    `text` (stripped), `rating` (float) and `label` (`rating_to_label`). Returns the splits and
    the number of dropped records.
    """
    # TODO 4.1
    raise NotImplementedError


def tokenize(
    tokenizer: PreTrainedTokenizerBase, text: str, label: int, max_length: int = 64
) -> dict[str, list[int]]:
    """`input_ids`, `attention_mask` and `labels` for prompt + answer (" <label word>" + EOS).

    The review is truncated (never the answer) so the total is at most `max_length`; `labels`
    is -100 on the prompt so only the answer is learned.
    """
    # TODO 4.2
    raise NotImplementedError


def find_target_modules(model: torch.nn.Module, part: str = "attn") -> list[str]:
    """Sorted distinct short names of the linear layers whose full name contains `part`.

    `part="attn"` gives the attention projections (`q_proj`... on Llama, `c_attn`, `c_proj` on
    GPT-2); `part=""` every linear layer except the output head.
    """
    # TODO 4.3
    raise NotImplementedError


def add_lora(
    model: PreTrainedModel,
    target_modules: Sequence[str],
    r: int = 8,
    alpha: int = 16,
    dropout: float = 0.05,
) -> PeftModel:
    """Wrap `model` with LoRA adapters of rank `r` on `target_modules`; the base stays frozen."""
    # TODO 4.4
    raise NotImplementedError


def count_parameters(model: torch.nn.Module) -> tuple[int, int]:
    """(trainable, total) parameter counts; a 4-bit weight counts its unpacked values."""
    # TODO 4.5
    raise NotImplementedError


def lora_parameter_count(model: torch.nn.Module, target_modules: Sequence[str], r: int) -> int:
    """Parameters LoRA adds: r × (in + out) for every linear layer named in `target_modules`."""
    # TODO 4.5
    raise NotImplementedError


def predict(
    model: torch.nn.Module,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    batch_size: int = 16,
    max_length: int = 64,
) -> list[int]:
    """The label index each review gets: the label word whose first token the model scores
    highest right after the prompt."""
    # TODO 4.6
    raise NotImplementedError


def evaluate(
    model: torch.nn.Module,
    tokenizer: PreTrainedTokenizerBase,
    dataset: Dataset,
    batch_size: int = 16,
    max_length: int = 64,
) -> Evaluation:
    """Accuracy of the predicted label (as in `predict`) against `dataset["label"]` and the mean
    cross-entropy of the answer tokens, from one forward pass over prompt + answer."""
    # TODO 4.6
    raise NotImplementedError


def load_tokenizer(model_id: str) -> PreTrainedTokenizerBase:
    """The model's tokenizer with a pad token (EOS when it has none), padding on the right."""
    # TODO 4.2
    raise NotImplementedError


def load_4bit_for_training(model_id: str) -> PreTrainedModel:
    """The model with NF4 4-bit linear layers (fp32 compute), prepared for k-bit training."""
    # TODO 4.10
    raise NotImplementedError


def train(
    model_id: str,
    data: DatasetDict,
    output_dir: str | Path,
    *,
    method: str = "lora",
    epochs: int = 3,
    seed: int = 0,
    r: int = 8,
    alpha: int = 16,
    learning_rate: float | None = None,
    batch_size: int = 8,
    max_length: int = 64,
    target_modules: Sequence[str] | None = None,
) -> TrainResult:
    """Fine-tune `model_id` on `data` ("train" / "validation" from `build_splits`) with Trainer.

    `method` is "lora" (fp32 base + adapters), "qlora" (4-bit base + adapters) or "full" (every
    weight). Evaluates and logs the loss every epoch, is reproducible for a given `seed`, and saves
    the result (only the adapter for LoRA / QLoRA) to `output_dir`. `learning_rate` defaults to
    5e-4 with adapters and 5e-5 for full fine-tuning; `target_modules` to the attention layers.
    Safe to call in every rank of `torchrun` (Trainer handles data parallelism).
    """
    # TODO 4.7
    raise NotImplementedError


def load_finetuned(
    base_model_id: str, adapter: str | Path, merge: bool = False
) -> tuple[torch.nn.Module, PreTrainedTokenizerBase]:
    """Base model + LoRA adapter (a folder or a repo id) ready for inference, and the tokenizer.

    With `merge=True` the adapter is folded into the base weights (`merge_and_unload`).
    """
    # TODO 4.8
    raise NotImplementedError


def classify(
    model: torch.nn.Module, tokenizer: PreTrainedTokenizerBase, texts: Sequence[str]
) -> list[str]:
    """The label word (`LABELS`) for each review."""
    # TODO 4.8
    raise NotImplementedError


def train_step_memory(
    model: torch.nn.Module, batch: dict[str, torch.Tensor], learning_rate: float = 1e-4
) -> int:
    """Bytes of gradients plus AdamW state after one real training step on `batch`.

    Only parameters with `requires_grad` are optimised; the bytes are read from the tensors.
    """
    # TODO 4.9
    raise NotImplementedError


def plot_losses(history: Sequence[EpochLoss], path: str | Path) -> Figure:
    """Plot training and validation loss per epoch, save it as a PNG at `path`, return the figure."""
    # TODO 4.11
    raise NotImplementedError
