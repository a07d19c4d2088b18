"""Kata 02 · Inference: text generation and sentence embeddings.

Replace each `raise NotImplementedError` with your code. The docstring of each function is its
contract; the README explains the ideas and has a hint for every task.
"""

from __future__ import annotations

from collections.abc import Iterator
from queue import Empty  # noqa: F401  (everything this kata needs is imported for you)
from threading import Thread  # noqa: F401

import torch
from transformers import (  # noqa: F401
    AutoModelForCausalLM,
    AutoTokenizer,
    GenerationConfig,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    TextIteratorStreamer,
    TopPLogitsWarper,
)

# ---------------------------------------------------------------- generation


def load_for_generation(
    repo_id: str, device: str = "cpu"
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load a causal LM and its tokenizer, ready for (batched) generation.

    Returns `(model, tokenizer)` where the model is the causal-LM class for `repo_id`, in eval
    mode, on `device`; the tokenizer has a pad token (the EOS token when it has none), pads on
    the left, and `model.generation_config.pad_token_id` is that pad token's id.
    """
    # TODO 2.1
    raise NotImplementedError


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
    # TODO 2.2
    raise NotImplementedError


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
    # TODO 2.3
    raise NotImplementedError


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
    # TODO 2.4
    raise NotImplementedError


def nucleus_filter(logits: torch.Tensor, top_p: float) -> torch.Tensor:
    """Top-p (nucleus) filtering of next-token logits of shape (batch, vocab).

    In each row keep the smallest set of most likely tokens whose probabilities add up to at
    least `top_p`, with their logits unchanged; set every other logit to -inf. Don't modify the
    input tensor. Raise ValueError when top_p is outside (0, 1].
    """
    # TODO 2.5
    raise NotImplementedError


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
    # TODO 2.6
    raise NotImplementedError


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
    # TODO 2.7
    raise NotImplementedError


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
    # TODO 2.8
    raise NotImplementedError


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
    # TODO 2.9
    raise NotImplementedError


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
    # TODO 2.10
    raise NotImplementedError


# ---------------------------------------------------------------- embeddings


def mean_pool(last_hidden_state: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Average each row's token vectors over its real tokens only.

    last_hidden_state: (batch, seq, hidden); attention_mask: (batch, seq) with 1 for real tokens
    and 0 for padding. Returns (batch, hidden).
    """
    # TODO 2.11
    raise NotImplementedError


def embed_sentences(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, sentences: list[str]
) -> torch.Tensor:
    """Sentence embeddings from an encoder loaded with `AutoModel`: shape (len(sentences), hidden).

    Mean-pool the last hidden state over real tokens and L2-normalise each row, so a sentence gets
    the same embedding alone or in a padded batch. The model may come straight from training
    (dropout on) and sit on any device; a sentence longer than the model's window is cut to fit.
    Raise ValueError for an empty list.
    """
    # TODO 2.12
    raise NotImplementedError


def cosine_similarity(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """All pairwise cosine similarities between the rows of a (n, d) and b (m, d): shape (n, m).

    The inputs need not be normalised. Raise ValueError unless both are 2-D with equal d.
    """
    # TODO 2.13
    raise NotImplementedError


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
    # TODO 2.14
    raise NotImplementedError


def last_token_pool(last_hidden_state: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Each row's vector at its last real token (the usual pooling for decoder-only models).

    Works for left and right padding. Shapes as in `mean_pool`; returns (batch, hidden).
    """
    # TODO 2.15
    raise NotImplementedError


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
    # TODO 2.16
    raise NotImplementedError
