"""Kata 04 · LoRA fine-tuning: rate movie reviews on a 5-level scale with a LoRA-tuned SmolLM2."""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import torch
from datasets import Dataset, DatasetDict
from matplotlib.figure import Figure
from peft import LoraConfig, PeftModel, TaskType, get_peft_model, prepare_model_for_kbit_training
from transformers import (
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
from transformers.pytorch_utils import Conv1D

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
    return bisect.bisect_right(THRESHOLDS, rating)


def _rating(value: str) -> float | None:
    try:
        rating = float(value)
    except (TypeError, ValueError):
        return None
    return rating if -4.0 <= rating <= 4.0 else None  # also rejects nan and inf


def build_splits(
    records: Iterable[RawRow], n_train: int, n_validation: int, seed: int = 0
) -> tuple[DatasetDict, int]:
    """Clean raw records and split them into seeded `train` / `validation` datasets.

    Records with empty text or an unparsable rating are dropped and counted. Each example has
    `text` (stripped), `rating` (float) and `label` (`rating_to_label`). Returns the splits and
    the number of dropped records.
    """
    if n_train < 1 or n_validation < 1:
        raise ValueError(
            f"n_train and n_validation must be at least 1, got {n_train}, {n_validation}"
        )
    rows, dropped = [], 0
    for record in records:
        rating, text = _rating(record.rating), (record.text or "").strip()
        if rating is None or not text:
            dropped += 1
            continue
        rows.append({"text": text, "rating": rating, "label": rating_to_label(rating)})
    if len(rows) < n_train + n_validation:
        raise ValueError(
            f"only {len(rows)} clean rows, fewer than n_train + n_validation = "
            f"{n_train + n_validation}: ask for smaller splits"
        )
    shuffled = Dataset.from_list(rows).shuffle(seed=seed)
    splits = DatasetDict(
        train=shuffled.select(range(n_train)),
        validation=shuffled.select(range(n_train, n_train + n_validation)),
    )
    return splits, dropped


def _ids(tokenizer: PreTrainedTokenizerBase, text: str) -> list[int]:
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def _answer_ids(tokenizer: PreTrainedTokenizerBase, label: int) -> list[int]:
    return [*_ids(tokenizer, " " + LABELS[label]), tokenizer.eos_token_id]


def _prompt_ids(tokenizer: PreTrainedTokenizerBase, text: str, max_length: int) -> list[int]:
    """Prompt tokens with the review truncated so that any answer still fits in `max_length`."""
    head, tail = _ids(tokenizer, PROMPT_HEAD), _ids(tokenizer, PROMPT_TAIL)
    longest_answer = max(len(_answer_ids(tokenizer, i)) for i in range(len(LABELS)))
    budget = max_length - len(head) - len(tail) - longest_answer
    if budget < 1:
        raise ValueError(f"max_length={max_length} leaves no room for the review: use more tokens")
    return head + _ids(tokenizer, text)[:budget] + tail


def tokenize(
    tokenizer: PreTrainedTokenizerBase, text: str, label: int, max_length: int = 64
) -> dict[str, list[int]]:
    """`input_ids`, `attention_mask` and `labels` for prompt + answer (" <label word>" + EOS).

    The review is truncated (never the answer) so the total is at most `max_length`; `labels`
    is -100 on the prompt so only the answer is learned.
    """
    if not 0 <= label < len(LABELS):
        raise ValueError(f"label must be in 0..{len(LABELS) - 1}, got {label}")
    prompt, answer = _prompt_ids(tokenizer, text, max_length), _answer_ids(tokenizer, label)
    input_ids = prompt + answer
    return {
        "input_ids": input_ids,
        "attention_mask": [1] * len(input_ids),
        "labels": [-100] * len(prompt) + answer,
    }


def _is_linear(module: torch.nn.Module) -> bool:
    return isinstance(module, torch.nn.Linear | Conv1D)


def find_target_modules(model: torch.nn.Module, part: str = "attn") -> list[str]:
    """Sorted distinct short names of the linear layers whose full name contains `part`.

    `part="attn"` gives the attention projections (`q_proj`... on Llama, `c_attn`, `c_proj` on
    GPT-2); `part=""` every linear layer except the output head.
    """
    head = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    return sorted(
        {
            name.rsplit(".", 1)[-1]
            for name, module in model.named_modules()
            if _is_linear(module) and module is not head and part in name
        }
    )


def add_lora(
    model: PreTrainedModel,
    target_modules: Sequence[str],
    r: int = 8,
    alpha: int = 16,
    dropout: float = 0.05,
) -> PeftModel:
    """Wrap `model` with LoRA adapters of rank `r` on `target_modules`; the base stays frozen."""
    if not target_modules:
        raise ValueError("target_modules is empty: pass layer names from find_target_modules")
    config = LoraConfig(
        r=r,
        lora_alpha=alpha,
        lora_dropout=dropout,
        target_modules=list(target_modules),
        task_type=TaskType.CAUSAL_LM,
    )
    return get_peft_model(model, config)


def _numel(parameter: torch.nn.Parameter) -> int:
    # a 4-bit weight packs two values per byte of its uint8 storage
    if parameter.__class__.__name__ == "Params4bit":
        return parameter.numel() * 2 * parameter.element_size()
    return parameter.numel()


def count_parameters(model: torch.nn.Module) -> tuple[int, int]:
    """(trainable, total) parameter counts; a 4-bit weight counts its unpacked values."""
    trainable = sum(_numel(p) for p in model.parameters() if p.requires_grad)
    return trainable, sum(_numel(p) for p in model.parameters())


def _in_out(module: torch.nn.Module) -> tuple[int, int]:
    if isinstance(module, Conv1D):  # GPT-2 stores the weight as (in, out)
        return module.weight.shape[0], module.nf
    return module.in_features, module.out_features


def lora_parameter_count(model: torch.nn.Module, target_modules: Sequence[str], r: int) -> int:
    """Parameters LoRA adds: r × (in + out) for every linear layer named in `target_modules`."""
    targets = set(target_modules)
    return sum(
        r * sum(_in_out(module))
        for name, module in model.named_modules()
        if _is_linear(module) and name.rsplit(".", 1)[-1] in targets
    )


def _pad(rows: list[list[int]], value: int) -> torch.Tensor:
    width = max(len(row) for row in rows)
    return torch.tensor([row + [value] * (width - len(row)) for row in rows])


def _choice_ids(tokenizer: PreTrainedTokenizerBase) -> torch.Tensor:
    """The first token of each label's answer: the model's choice is the highest of these."""
    return torch.tensor([_answer_ids(tokenizer, i)[0] for i in range(len(LABELS))])


def _logits(
    model: torch.nn.Module, tokenizer: PreTrainedTokenizerBase, rows: list[list[int]]
) -> torch.Tensor:
    """Logits for right-padded `rows` of token ids."""
    device = next(model.parameters()).device
    input_ids = _pad(rows, tokenizer.pad_token_id or 0).to(device)
    mask = _pad([[1] * len(row) for row in rows], 0).to(device)
    return model(input_ids=input_ids, attention_mask=mask).logits


@torch.no_grad()
def predict(
    model: torch.nn.Module,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    batch_size: int = 16,
    max_length: int = 64,
) -> list[int]:
    """The label index each review gets: the label word whose first token the model scores
    highest right after the prompt."""
    model.eval()
    choices = _choice_ids(tokenizer)
    predictions: list[int] = []
    for start in range(0, len(texts), batch_size):
        prompts = [_prompt_ids(tokenizer, t, max_length) for t in texts[start : start + batch_size]]
        logits = _logits(model, tokenizer, prompts)
        last = logits[torch.arange(len(prompts)), torch.tensor([len(p) - 1 for p in prompts])]
        predictions += last[:, choices.to(last.device)].argmax(dim=-1).tolist()
    return predictions


@torch.no_grad()
def evaluate(
    model: torch.nn.Module,
    tokenizer: PreTrainedTokenizerBase,
    dataset: Dataset,
    batch_size: int = 16,
    max_length: int = 64,
) -> Evaluation:
    """Accuracy of the predicted label (as in `predict`) against `dataset["label"]` and the mean
    cross-entropy of the answer tokens, from one forward pass over prompt + answer."""
    model.eval()
    choices = _choice_ids(tokenizer)
    device = next(model.parameters()).device
    correct, total_loss, count = 0, 0.0, 0
    for start in range(0, len(dataset), batch_size):
        batch = dataset[start : start + batch_size]
        rows = [
            tokenize(tokenizer, t, y, max_length)
            for t, y in zip(batch["text"], batch["label"], strict=True)
        ]
        targets = _pad([r["labels"] for r in rows], -100).to(device)
        logits = _logits(model, tokenizer, [r["input_ids"] for r in rows]).float()
        answer_at = (targets != -100).int().argmax(dim=1) - 1  # position predicting the label
        scores = logits[torch.arange(len(rows)), answer_at][:, choices.to(device)]
        correct += int((scores.argmax(dim=-1).cpu() == torch.tensor(batch["label"])).sum())
        total_loss += torch.nn.functional.cross_entropy(
            logits[:, :-1].flatten(0, 1), targets[:, 1:].flatten(), reduction="sum"
        ).item()
        count += int((targets[:, 1:] != -100).sum())
    return Evaluation(accuracy=correct / len(dataset), loss=total_loss / count)


def load_tokenizer(model_id: str) -> PreTrainedTokenizerBase:
    """The model's tokenizer with a pad token (EOS when it has none), padding on the right."""
    tokenizer = AutoTokenizer.from_pretrained(model_id)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "right"
    return tokenizer


def load_4bit_for_training(model_id: str) -> PreTrainedModel:
    """The model with NF4 4-bit linear layers (fp32 compute), prepared for k-bit training."""
    quantization = BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.float32,
    )
    model = AutoModelForCausalLM.from_pretrained(
        model_id, quantization_config=quantization, dtype=torch.float32
    )
    return prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)


def _epoch_losses(log_history: list[dict[str, float]]) -> list[EpochLoss]:
    train = {round(e["epoch"]): e["loss"] for e in log_history if "loss" in e}
    evals = {round(e["epoch"]): e["eval_loss"] for e in log_history if "eval_loss" in e}
    return [EpochLoss(float(k), train[k], evals[k]) for k in sorted(train) if k in evals]


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
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    set_seed(seed)
    tokenizer = load_tokenizer(model_id)
    if method == "qlora":
        model = load_4bit_for_training(model_id)
    else:
        model = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.float32)
    if method != "full":
        model = add_lora(model, target_modules or find_target_modules(model), r=r, alpha=alpha)
    columns = data["train"].column_names
    tokenized = data.map(
        lambda ex: tokenize(tokenizer, ex["text"], ex["label"], max_length), remove_columns=columns
    )
    args = TrainingArguments(
        output_dir=str(output_dir),
        num_train_epochs=epochs,
        per_device_train_batch_size=batch_size,
        per_device_eval_batch_size=batch_size,
        learning_rate=learning_rate or (5e-5 if method == "full" else 5e-4),
        eval_strategy="epoch",
        logging_strategy="epoch",
        save_strategy="no",
        report_to=[],
        seed=seed,
        disable_tqdm=True,
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=tokenized["train"],
        eval_dataset=tokenized["validation"],
        data_collator=DataCollatorForSeq2Seq(tokenizer, padding=True, label_pad_token_id=-100),
        processing_class=tokenizer,
    )
    started = time.perf_counter()
    trainer.train()
    log_history = trainer.state.log_history
    evaluating = sum(e.get("eval_runtime", 0.0) for e in log_history)
    seconds = time.perf_counter() - started - evaluating
    trainer.save_model(str(output_dir))
    return TrainResult(
        model=trainer.model,
        tokenizer=tokenizer,
        history=_epoch_losses(log_history),
        seconds_per_step=seconds / max(trainer.state.global_step, 1),
    )


def load_finetuned(
    base_model_id: str, adapter: str | Path, merge: bool = False
) -> tuple[torch.nn.Module, PreTrainedTokenizerBase]:
    """Base model + LoRA adapter (a folder or a repo id) ready for inference, and the tokenizer.

    With `merge=True` the adapter is folded into the base weights (`merge_and_unload`).
    """
    base = AutoModelForCausalLM.from_pretrained(base_model_id, dtype=torch.float32)
    model = PeftModel.from_pretrained(base, str(adapter))
    if merge:
        model = model.merge_and_unload()
    return model.eval(), load_tokenizer(base_model_id)


def classify(
    model: torch.nn.Module, tokenizer: PreTrainedTokenizerBase, texts: Sequence[str]
) -> list[str]:
    """The label word (`LABELS`) for each review."""
    return [LABELS[i] for i in predict(model, tokenizer, texts)]


def train_step_memory(
    model: torch.nn.Module, batch: dict[str, torch.Tensor], learning_rate: float = 1e-4
) -> int:
    """Bytes of gradients plus AdamW state after one real training step on `batch`.

    Only parameters with `requires_grad` are optimised; the bytes are read from the tensors.
    """
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], learning_rate)
    model(**batch).loss.backward()
    optimizer.step()
    grads = sum(
        p.grad.numel() * p.grad.element_size() for p in model.parameters() if p.grad is not None
    )
    state = sum(
        t.numel() * t.element_size()
        for per_param in optimizer.state.values()
        for t in per_param.values()
        if isinstance(t, torch.Tensor)
    )
    return grads + state


def plot_losses(history: Sequence[EpochLoss], path: str | Path) -> Figure:
    """Plot training and validation loss per epoch, save it as a PNG at `path`, return the figure."""
    if not history:
        raise ValueError("history is empty: train for at least one epoch first")
    figure = Figure(figsize=(6, 4))
    axes = figure.add_subplot()
    epochs = [h.epoch for h in history]
    axes.plot(epochs, [h.train_loss for h in history], marker="o", label="training loss")
    axes.plot(epochs, [h.eval_loss for h in history], marker="o", label="validation loss")
    axes.set(xlabel="epoch", ylabel="loss (answer tokens)", title="LoRA fine-tuning")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, format="png")
    return figure
