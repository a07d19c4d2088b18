"""Kata 01 · Auto classes — reference solutions."""

from __future__ import annotations

from typing import Any

import torch
from transformers import (
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

TASKS = ("feature-extraction", "text-classification", "text-generation")
_DECODER_HEADS = ("ForCausalLM", "LMHeadModel")


# ------------------------------------------------------------------ 1.1–1.2 config


def config_summary(repo_id: str) -> dict[str, Any]:
    """Read the model's config (not its weights) and return a dict with the keys
    "model_type", "hidden_size", "num_hidden_layers" and "vocab_size"."""
    config = AutoConfig.from_pretrained(repo_id)
    return {
        "model_type": config.model_type,
        "hidden_size": config.hidden_size,
        "num_hidden_layers": config.num_hidden_layers,
        "vocab_size": config.vocab_size,
    }


def architecture_family(repo_id: str) -> str:
    """Return "encoder", "decoder" or "encoder-decoder", decided from the model's config."""
    config = AutoConfig.from_pretrained(repo_id)
    if config.is_encoder_decoder:
        return "encoder-decoder"
    heads = config.architectures or []
    if any(name.endswith(_DECODER_HEADS) for name in heads):
        return "decoder"
    return "encoder"


# ------------------------------------------------------------------ 1.3–1.7 tokenizers


def round_trip(repo_id: str, text: str) -> tuple[list[int], str]:
    """Return the token ids of `text` (including the special tokens the tokenizer adds) and
    those ids decoded back to text, without the special tokens."""
    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    ids = tokenizer(text)["input_ids"]
    return ids, tokenizer.decode(ids, skip_special_tokens=True)


def special_tokens_added(repo_id: str, text: str) -> list[str]:
    """Return the special tokens (as strings, e.g. "[CLS]") the tokenizer adds when it
    encodes `text`, in the order they appear. An empty list if it adds none."""
    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    special = set(tokenizer.all_special_ids)
    ids = tokenizer(text)["input_ids"]
    return [tokenizer.convert_ids_to_tokens(i) for i in ids if i in special]


def load_tokenizer_for_generation(repo_id: str) -> PreTrainedTokenizerBase:
    """Return the tokenizer ready for batched generation with a decoder-only model: it has a
    pad token (keep the one it has, if any) and pads on the left."""
    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    return tokenizer


def encode_batch(repo_id: str, texts: list[str], max_length: int) -> BatchEncoding:
    """Encode `texts` into PyTorch tensors: padded to a common length, each cut to at most
    `max_length` tokens, with an attention mask."""
    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    return tokenizer(
        texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt"
    )


def chat_prompt(repo_id: str, messages: list[dict[str, str]]) -> str:
    """Return the prompt string the chat model expects for `messages` (a list of
    {"role": ..., "content": ...}), ending where the assistant's answer should begin."""
    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


# ------------------------------------------------------------------ 1.8 the right Auto class


def load_model(repo_id: str, task: str) -> PreTrainedModel:
    """Load the model with the right head for `task`, one of TASKS:
    "feature-extraction" (bare model, hidden states), "text-classification" (a label per
    text) or "text-generation" (decoder-only or encoder-decoder: pick the class that fits).
    Any other task: raise ValueError naming the valid ones."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}: use one of {', '.join(TASKS)}")
    if task == "feature-extraction":
        return AutoModel.from_pretrained(repo_id)
    if task == "text-classification":
        return AutoModelForSequenceClassification.from_pretrained(repo_id)
    if AutoConfig.from_pretrained(repo_id).is_encoder_decoder:
        return AutoModelForSeq2SeqLM.from_pretrained(repo_id)
    return AutoModelForCausalLM.from_pretrained(repo_id)


# ------------------------------------------------------------------ 1.9–1.11 device, eval, dtype


def pick_device() -> torch.device:
    """Return torch.device("cuda") if a CUDA GPU is available, else "mps" (Apple) if
    available, else "cpu"."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def next_token_logits(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, text: str
) -> torch.Tensor:
    """Return the model's logits for the token after `text`: a 1-D tensor (one score per
    vocabulary entry), computed for inference, left on the model's device."""
    model.eval()
    inputs = tokenizer(text, return_tensors="pt").to(model.device)
    with torch.no_grad():
        return model(**inputs).logits[0, -1]


def load_in_dtype(repo_id: str, dtype: torch.dtype) -> PreTrainedModel:
    """Load the causal LM with its weights in `dtype` (e.g. torch.bfloat16)."""
    return AutoModelForCausalLM.from_pretrained(repo_id, dtype=dtype)


def bytes_per_parameter(model: torch.nn.Module) -> float:
    """Return the average number of bytes one parameter of `model` takes (4.0 in float32)."""
    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    if total == 0:
        raise ValueError("the model has no parameters")
    return sum(p.numel() * p.element_size() for p in params) / total


# ------------------------------------------------------------------ 1.12–1.14 pipelines


def generate_text(repo_id: str, prompt: str, max_new_tokens: int) -> str:
    """Continue `prompt` greedily (no sampling) with a "text-generation" pipeline and return
    only the new text, at most `max_new_tokens` tokens of it."""
    generator = pipeline("text-generation", model=repo_id, device=pick_device())
    result = generator(
        prompt, max_new_tokens=max_new_tokens, do_sample=False, return_full_text=False
    )
    return result[0]["generated_text"]


def token_features(repo_id: str, text: str) -> torch.Tensor:
    """Return one feature vector per token of `text` (a num_tokens × hidden_size tensor)
    from a "feature-extraction" pipeline."""
    extractor = pipeline("feature-extraction", model=repo_id, device=pick_device())
    return extractor(text, return_tensors=True)[0]


def classify(repo_id: str, texts: list[str]) -> list[str]:
    """Return the predicted label name (e.g. "positive") for each text, using a
    "text-classification" pipeline."""
    classifier = pipeline("text-classification", model=repo_id, device=pick_device())
    return [prediction["label"] for prediction in classifier(texts)]
