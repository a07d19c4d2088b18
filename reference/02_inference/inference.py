"""Kata 02 · Inference: text generation and sentence embeddings (reference solution)."""

from __future__ import annotations

from collections.abc import Iterator
from queue import Empty
from threading import Thread

import torch
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    GenerationConfig,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    TextIteratorStreamer,
    TopPLogitsWarper,
)

STREAM_TIMEOUT_S = 120  # stream_generate's limit on waiting for the next piece of text

# ---------------------------------------------------------------- generation


def load_for_generation(
    repo_id: str, device: str = "cpu"
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load a causal LM and its tokenizer, ready for (batched) generation.

    Returns `(model, tokenizer)` where the model is the causal-LM class for `repo_id`, in eval
    mode, on `device`; the tokenizer has a pad token (the EOS token when it has none), pads on
    the left, and `model.generation_config.pad_token_id` is that pad token's id.
    """
    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    model = AutoModelForCausalLM.from_pretrained(repo_id).to(device)
    model.eval()
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model, tokenizer


def _encode(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, texts: list[str], **options: object
) -> dict[str, torch.Tensor]:
    """Tokenize a left-padded batch and move it to the model's device."""
    inputs = tokenizer(texts, return_tensors="pt", padding=True, padding_side="left", **options)
    return {name: tensor.to(model.device) for name, tensor in inputs.items()}


def _generate_from(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    inputs: dict[str, torch.Tensor],
    config: GenerationConfig,
    /,
    **extra: object,
) -> list[str]:
    """Run generate on tokenized inputs; only the new text of each row."""
    config.pad_token_id = tokenizer.pad_token_id
    with torch.no_grad():
        sequences = model.generate(**inputs, generation_config=config, **extra)
    prompt_length = inputs["input_ids"].shape[1]
    return tokenizer.batch_decode(sequences[:, prompt_length:], skip_special_tokens=True)


def _generate(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompts: list[str],
    config: GenerationConfig,
    /,
    **extra: object,
) -> list[str]:
    return _generate_from(model, tokenizer, _encode(model, tokenizer, prompts), config, **extra)


def generate_greedy(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompt: str,
    max_new_tokens: int = 20,
) -> str:
    """Greedy continuation of `prompt` with `model.generate`: only the new text, not the prompt.

    Put the inputs on the model's device, pass the attention mask and the pad token id, and
    decode without special tokens.
    """
    return _generate(model, tokenizer, [prompt], make_generation_config(max_new_tokens))[0]


def make_generation_config(
    max_new_tokens: int = 32,
    temperature: float | None = None,
    top_k: int | None = None,
    top_p: float | None = None,
    repetition_penalty: float | None = None,
) -> GenerationConfig:
    """A `GenerationConfig` holding these settings, so they are set once and reused.

    temperature > 0 means sampling (with top_k and top_p when given); temperature 0 or None means
    greedy. repetition_penalty applies to both. Raise ValueError, naming the parameter, for
    max_new_tokens < 1, temperature < 0, top_k < 0, top_p outside (0, 1] or
    repetition_penalty <= 0.
    """
    if max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be at least 1, got {max_new_tokens}")
    if temperature is not None and temperature < 0:
        raise ValueError(f"temperature must be >= 0 (0 or None means greedy), got {temperature}")
    if top_k is not None and top_k < 0:
        raise ValueError(f"top_k must be >= 0 (0 turns it off), got {top_k}")
    if top_p is not None and not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1], got {top_p}")
    if repetition_penalty is not None and repetition_penalty <= 0:
        raise ValueError(
            f"repetition_penalty must be > 0 (1.0 means none), got {repetition_penalty}"
        )
    config = GenerationConfig(max_new_tokens=max_new_tokens, do_sample=False)
    if repetition_penalty is not None:
        config.repetition_penalty = repetition_penalty
    if temperature:
        config.do_sample = True
        config.temperature = temperature
        config.top_k = top_k if top_k is not None else 0
        config.top_p = top_p if top_p is not None else 1.0
    return config


def generate_text(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompt: str,
    max_new_tokens: int = 32,
    temperature: float | None = None,
    top_k: int | None = None,
    top_p: float | None = None,
    repetition_penalty: float | None = None,
    seed: int | None = None,
) -> str:
    """Continue `prompt` with these settings: sampling when temperature > 0, greedy otherwise.

    The same seed gives the same text. Invalid settings raise ValueError before the model runs.
    Only the new text is returned.
    """
    config = make_generation_config(max_new_tokens, temperature, top_k, top_p, repetition_penalty)
    if seed is not None:
        torch.manual_seed(seed)
    return _generate(model, tokenizer, [prompt], config)[0]


def nucleus_filter(logits: torch.Tensor, top_p: float) -> torch.Tensor:
    """Top-p (nucleus) filtering of next-token logits of shape (batch, vocab).

    In each row keep the smallest set of most likely tokens whose probabilities add up to at
    least `top_p`, with their logits unchanged; set every other logit to -inf. Don't modify the
    input tensor. Raise ValueError when top_p is outside (0, 1].
    """
    if not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1], got {top_p}")
    return TopPLogitsWarper(top_p)(None, logits.clone())  # type: ignore[arg-type]


def generate_until(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompt: str,
    stop_strings: list[str],
    max_new_tokens: int = 64,
) -> str:
    """Greedy continuation that stops at EOS or as soon as one of `stop_strings` appears.

    Generation itself must stop there (don't generate all max_new_tokens and cut afterwards).
    Return the new text before the first stop string. Raise ValueError for an empty
    `stop_strings` or an empty stop string.
    """
    if not stop_strings or not all(isinstance(stop, str) and stop for stop in stop_strings):
        raise ValueError("stop_strings must be a non-empty list of non-empty strings")
    config = make_generation_config(max_new_tokens)
    config.stop_strings = stop_strings
    text = _generate(model, tokenizer, [prompt], config, tokenizer=tokenizer)[0]
    cuts = [text.find(stop) for stop in stop_strings if stop in text]
    return text[: min(cuts)] if cuts else text


def generate_batch(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompts: list[str],
    max_new_tokens: int = 20,
) -> list[str]:
    """Greedy continuations of prompts of different lengths, in ONE `generate` call.

    Each text must equal `generate_greedy` on that prompt alone. Pad on the left whatever the
    tokenizer's `padding_side` is. An empty list gives an empty list.
    """
    config = make_generation_config(max_new_tokens)
    return _generate(model, tokenizer, prompts, config) if prompts else []


def generate_long(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompt: str,
    max_new_tokens: int = 20,
) -> str:
    """Greedy continuation of a prompt that may not fit in the model's context window.

    The window is `model.config.max_position_embeddings` tokens and must hold the prompt plus
    the new tokens: keep only the LAST `window - max_new_tokens` prompt tokens when the prompt is
    longer. Raise ValueError if max_new_tokens leaves no room for any prompt token (or is < 1).
    """
    context = model.config.max_position_embeddings
    if not 1 <= max_new_tokens < context:
        raise ValueError(
            f"max_new_tokens must be between 1 and {context - 1} (the context window is "
            f"{context} tokens and the prompt needs at least one), got {max_new_tokens}"
        )
    ids = tokenizer(prompt, return_tensors="pt").input_ids[:, -(context - max_new_tokens) :]
    inputs = {
        "input_ids": ids.to(model.device),
        "attention_mask": torch.ones_like(ids, device=model.device),
    }
    return _generate_from(model, tokenizer, inputs, make_generation_config(max_new_tokens))[0]


def chat(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    messages: list[dict[str, str]],
    max_new_tokens: int = 64,
) -> str:
    """The assistant's greedy reply to `messages` ({"role": ..., "content": ...} dicts).

    Format the conversation with the tokenizer's chat template, ending with the prompt for the
    assistant's turn. Return only the reply, without special tokens.
    """
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    inputs = _encode(model, tokenizer, [text], add_special_tokens=False)
    return _generate_from(model, tokenizer, inputs, make_generation_config(max_new_tokens))[0]


def stream_generate(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompt: str,
    max_new_tokens: int = 20,
) -> Iterator[str]:
    """Yield pieces of the greedy continuation of `prompt` WHILE they are being generated.

    Joined together, the pieces equal `generate_greedy(model, tokenizer, prompt, max_new_tokens)`.
    If generation fails (in its thread), raise that error here instead of waiting forever.
    """
    config = make_generation_config(max_new_tokens)
    streamer = TextIteratorStreamer(
        tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=STREAM_TIMEOUT_S
    )
    errors: list[BaseException] = []

    def work() -> None:
        try:
            _generate(model, tokenizer, [prompt], config, streamer=streamer)
        except BaseException as error:  # handed to the caller below
            errors.append(error)
            streamer.end()  # a failed generate never ends the stream itself

    worker = Thread(target=work, daemon=True)
    worker.start()
    try:
        yield from (piece for piece in streamer if piece)
    except Empty:
        raise TimeoutError(
            f"generation produced no text for {STREAM_TIMEOUT_S} s: is the model stuck?"
        ) from None
    worker.join()
    if errors:
        raise errors[0]


# ---------------------------------------------------------------- embeddings


def mean_pool(last_hidden_state: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Average each row's token vectors over its real tokens only.

    last_hidden_state: (batch, seq, hidden); attention_mask: (batch, seq) with 1 for real tokens
    and 0 for padding. Returns (batch, hidden).
    """
    mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
    return (last_hidden_state * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)


def embed_sentences(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, sentences: list[str]
) -> torch.Tensor:
    """Sentence embeddings from an encoder loaded with `AutoModel`: shape (len(sentences), hidden).

    Mean-pool the last hidden state over real tokens and L2-normalise each row, so a sentence gets
    the same embedding alone or in a padded batch. The model may come straight from training
    (dropout on) and sit on any device; a sentence longer than the model's window is cut to fit.
    Raise ValueError for an empty list.
    """
    if not sentences:
        raise ValueError("sentences is empty: pass at least one sentence to embed")
    inputs = tokenizer(sentences, padding=True, truncation=True, return_tensors="pt")
    inputs = inputs.to(model.device)
    model.eval()
    with torch.no_grad():
        hidden = model(**inputs).last_hidden_state
    pooled = mean_pool(hidden, inputs["attention_mask"])
    return torch.nn.functional.normalize(pooled, dim=-1)


def cosine_similarity(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """All pairwise cosine similarities between the rows of a (n, d) and b (m, d): shape (n, m).

    The inputs need not be normalised. Raise ValueError unless both are 2-D with equal d.
    """
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(
            f"expected two 2-D tensors with the same number of columns, got {tuple(a.shape)} "
            f"and {tuple(b.shape)}"
        )
    a = torch.nn.functional.normalize(a, dim=-1)
    b = torch.nn.functional.normalize(b, dim=-1)
    return a @ b.T


def semantic_search(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    query: str,
    corpus: list[str],
    k: int = 3,
) -> list[tuple[int, float]]:
    """The k corpus sentences most similar to `query`, best first, as (index, cosine score).

    Returns min(k, len(corpus)) pairs. Raise ValueError for k < 1 or an empty corpus.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if not corpus:
        raise ValueError("corpus is empty: pass at least one sentence to search")
    embeddings = embed_sentences(model, tokenizer, [query, *corpus])
    scores = cosine_similarity(embeddings[:1], embeddings[1:])[0]
    top = torch.topk(scores, min(k, len(corpus)))
    return [(int(i), float(s)) for s, i in zip(top.values, top.indices, strict=True)]


def last_token_pool(last_hidden_state: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Each row's vector at its last real token (the usual pooling for decoder-only models).

    Works for left and right padding. Shapes as in `mean_pool`; returns (batch, hidden).
    """
    length = last_hidden_state.shape[1]
    positions = torch.arange(length, device=attention_mask.device).expand_as(attention_mask)
    last = torch.where(attention_mask.bool(), positions, -1).max(dim=1).values
    rows = torch.arange(last_hidden_state.shape[0], device=last_hidden_state.device)
    return last_hidden_state[rows, last.to(last_hidden_state.device)]


def embed_long_text(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    text: str,
    chunk_tokens: int | None = None,
) -> torch.Tensor:
    """One L2-normalised embedding (shape (hidden,)) of a text of any length.

    Split the tokens into chunks of at most `chunk_tokens` tokens, special tokens included
    (default and upper limit: `model.config.max_position_embeddings`), embed every chunk and
    combine them, so every part of the text counts. A text that fits in one chunk gets the same
    embedding as `embed_sentences`. Raise ValueError for a chunk_tokens above the limit or too
    small to hold one text token.
    """
    limit = model.config.max_position_embeddings
    smallest = tokenizer.num_special_tokens_to_add() + 1
    chunk_tokens = limit if chunk_tokens is None else chunk_tokens
    if not smallest <= chunk_tokens <= limit:
        raise ValueError(
            f"chunk_tokens must be between {smallest} (special tokens plus one text token) and "
            f"{limit} (the model's context), got {chunk_tokens}"
        )
    chunks = tokenizer(
        text,
        truncation=True,
        max_length=chunk_tokens,
        return_overflowing_tokens=True,
        padding=True,
        return_tensors="pt",
    )
    inputs = {
        name: chunks[name].to(model.device)
        for name in ("input_ids", "attention_mask", "token_type_ids")
        if name in chunks
    }
    with torch.no_grad():
        hidden = model(**inputs).last_hidden_state
    weights = inputs["attention_mask"].sum(dim=1, keepdim=True).to(hidden.dtype)
    combined = (mean_pool(hidden, inputs["attention_mask"]) * weights).sum(dim=0)
    return torch.nn.functional.normalize(combined, dim=-1)
