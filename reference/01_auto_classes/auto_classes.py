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
    """The model's type and size, read from its config only (no weights loaded)."""
    config = AutoConfig.from_pretrained(repo_id)
    return {
        "model_type": config.model_type,
        "hidden_size": config.hidden_size,
        "num_hidden_layers": config.num_hidden_layers,
        "vocab_size": config.vocab_size,
    }


def architecture_family(repo_id: str) -> str:
    """Return "encoder", "decoder" or "encoder-decoder", decided from the config."""
    config = AutoConfig.from_pretrained(repo_id)
    if config.is_encoder_decoder:
        return "encoder-decoder"
    heads = config.architectures or []
    if any(name.endswith(_DECODER_HEADS) for name in heads):
        return "decoder"
    return "encoder"


# ------------------------------------------------------------------ 1.3–1.7 tokenizers


def round_trip(repo_id: str, text: str) -> tuple[list[int], str]:
    """Token ids of `text` (with the special tokens the model expects) and the text decoded back."""
    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    ids = tokenizer(text)["input_ids"]
    return ids, tokenizer.decode(ids, skip_special_tokens=True)


def special_tokens_added(repo_id: str, text: str) -> list[str]:
    """The special tokens the tokenizer adds around `text`, in order."""
    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    special = set(tokenizer.all_special_ids)
    ids = tokenizer(text)["input_ids"]
    return [tokenizer.convert_ids_to_tokens(i) for i in ids if i in special]


def load_tokenizer_for_generation(repo_id: str) -> PreTrainedTokenizerBase:
    """A tokenizer ready for batched generation: a pad token, and padding on the left."""
    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    return tokenizer


def encode_batch(repo_id: str, texts: list[str], max_length: int) -> BatchEncoding:
    """PyTorch tensors for `texts`: padded to one length, cut at `max_length`, with a mask."""
    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    return tokenizer(
        texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt"
    )


def chat_prompt(repo_id: str, messages: list[dict[str, str]]) -> str:
    """The prompt string the chat model expects for `messages`, ready for its answer."""
    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


# ------------------------------------------------------------------ 1.8 the right Auto class


def load_model(repo_id: str, task: str) -> PreTrainedModel:
    """The model with the right head for `task` (one of TASKS)."""
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
    """The best device here: CUDA, else Apple's MPS, else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def next_token_logits(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, text: str
) -> torch.Tensor:
    """The logits for the token after `text`: 1-D (vocabulary), on the model's device."""
    model.eval()
    inputs = tokenizer(text, return_tensors="pt").to(model.device)
    with torch.no_grad():
        return model(**inputs).logits[0, -1]


def load_in_dtype(repo_id: str, dtype: torch.dtype) -> PreTrainedModel:
    """The causal LM with its weights in `dtype` (e.g. torch.bfloat16)."""
    return AutoModelForCausalLM.from_pretrained(repo_id, dtype=dtype)


def bytes_per_parameter(model: torch.nn.Module) -> float:
    """Average storage bytes per parameter (4.0 for float32, 2.0 for bfloat16)."""
    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    if total == 0:
        raise ValueError("the model has no parameters")
    return sum(p.numel() * p.element_size() for p in params) / total


# ------------------------------------------------------------------ 1.12–1.14 pipelines


def generate_text(repo_id: str, prompt: str, max_new_tokens: int) -> str:
    """Greedy continuation of `prompt` (only the new text) from a text-generation pipeline."""
    generator = pipeline("text-generation", model=repo_id, device=pick_device())
    result = generator(
        prompt, max_new_tokens=max_new_tokens, do_sample=False, return_full_text=False
    )
    return result[0]["generated_text"]


def token_features(repo_id: str, text: str) -> torch.Tensor:
    """One feature vector per token of `text` (num_tokens × hidden_size) from a pipeline."""
    extractor = pipeline("feature-extraction", model=repo_id, device=pick_device())
    return extractor(text, return_tensors=True)[0]


def classify(repo_id: str, texts: list[str]) -> list[str]:
    """The predicted label name for each text, from a text-classification pipeline."""
    classifier = pipeline("text-classification", model=repo_id, device=pick_device())
    return [prediction["label"] for prediction in classifier(texts)]
