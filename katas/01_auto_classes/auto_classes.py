"""Kata 01 · Auto classes — load pre-trained models, tokenizers and pipelines by repo id.

Every function gets a repo id such as "hf-katas/tiny-llama" (or a model / tokenizer the test
already loaded) and uses the Auto classes imported below. Read the task in README.md, replace
`raise NotImplementedError` with your code, and run `pytest katas/01_auto_classes`.
"""

from __future__ import annotations

from typing import Any

import torch
from transformers import (  # noqa: F401  (everything this kata needs is imported for you)
    AutoConfig,
    AutoModel,
    AutoModelForCausalLM,
    AutoModelForSeq2SeqLM,
    AutoModelForSequenceClassification,
    AutoTokenizer,
    BatchEncoding,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    pipeline,
)

# The tasks `load_model` accepts (the same names `pipeline()` uses).
TASKS = ("feature-extraction", "text-classification", "text-generation")


# ------------------------------------------------------------------ 1.1–1.2 config


def config_summary(repo_id: str) -> dict[str, Any]:
    """Read the model's config (not its weights) and return a dict with the keys
    "model_type", "hidden_size", "num_hidden_layers" and "vocab_size"."""
    # TODO 1.1
    raise NotImplementedError


def architecture_family(repo_id: str) -> str:
    """Return "encoder", "decoder" or "encoder-decoder", decided from the model's config."""
    # TODO 1.2
    raise NotImplementedError


# ------------------------------------------------------------------ 1.3–1.7 tokenizers


def round_trip(repo_id: str, text: str) -> tuple[list[int], str]:
    """Return the token ids of `text` (including the special tokens the tokenizer adds) and
    those ids decoded back to text, without the special tokens."""
    # TODO 1.3
    raise NotImplementedError


def special_tokens_added(repo_id: str, text: str) -> list[str]:
    """Return the special tokens (as strings, e.g. "[CLS]") the tokenizer adds when it
    encodes `text`, in the order they appear. An empty list if it adds none."""
    # TODO 1.4
    raise NotImplementedError


def load_tokenizer_for_generation(repo_id: str) -> PreTrainedTokenizerBase:
    """Return the tokenizer ready for batched generation with a decoder-only model: it has a
    pad token (keep the one it has, if any) and pads on the left."""
    # TODO 1.5
    raise NotImplementedError


def encode_batch(repo_id: str, texts: list[str], max_length: int) -> BatchEncoding:
    """Encode `texts` into PyTorch tensors: padded to a common length, each cut to at most
    `max_length` tokens, with an attention mask."""
    # TODO 1.6
    raise NotImplementedError


def chat_prompt(repo_id: str, messages: list[dict[str, str]]) -> str:
    """Return the prompt string the chat model expects for `messages` (a list of
    {"role": ..., "content": ...}), ending where the assistant's answer should begin."""
    # TODO 1.7
    raise NotImplementedError


# ------------------------------------------------------------------ 1.8 the right Auto class


def load_model(repo_id: str, task: str) -> PreTrainedModel:
    """Load the model with the right head for `task`, one of TASKS:
    "feature-extraction" (bare model, hidden states), "text-classification" (a label per
    text) or "text-generation" (decoder-only or encoder-decoder: pick the class that fits).
    Any other task: raise ValueError naming the valid ones."""
    # TODO 1.8
    raise NotImplementedError


# ------------------------------------------------------------------ 1.9–1.11 device, eval, dtype


def pick_device() -> torch.device:
    """Return torch.device("cuda") if a CUDA GPU is available, else "mps" (Apple) if
    available, else "cpu"."""
    # TODO 1.9
    raise NotImplementedError


def next_token_logits(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, text: str
) -> torch.Tensor:
    """Return the model's logits for the token after `text`: a 1-D tensor (one score per
    vocabulary entry), computed for inference, left on the model's device."""
    # TODO 1.10
    raise NotImplementedError


def load_in_dtype(repo_id: str, dtype: torch.dtype) -> PreTrainedModel:
    """Load the causal LM with its weights in `dtype` (e.g. torch.bfloat16)."""
    # TODO 1.11
    raise NotImplementedError


def bytes_per_parameter(model: torch.nn.Module) -> float:
    """Return the average number of bytes one parameter of `model` takes (4.0 in float32)."""
    # TODO 1.11
    raise NotImplementedError


# ------------------------------------------------------------------ 1.12–1.14 pipelines


def generate_text(repo_id: str, prompt: str, max_new_tokens: int) -> str:
    """Continue `prompt` greedily (no sampling) with a "text-generation" pipeline and return
    only the new text, at most `max_new_tokens` tokens of it."""
    # TODO 1.12
    raise NotImplementedError


def token_features(repo_id: str, text: str) -> torch.Tensor:
    """Return one feature vector per token of `text` (a num_tokens × hidden_size tensor)
    from a "feature-extraction" pipeline."""
    # TODO 1.13
    raise NotImplementedError


def classify(repo_id: str, texts: list[str]) -> list[str]:
    """Return the predicted label name (e.g. "positive") for each text, using a
    "text-classification" pipeline."""
    # TODO 1.14
    raise NotImplementedError
