"""Tasks 1.3–1.7: tokenizers — round trip, special tokens, padding, truncation, chat template."""

from __future__ import annotations

import pytest
import torch
from transformers import AutoTokenizer

TEXT = "Tokenizers turn text into numbers, and back again!"
PROMPTS = ["Hi", "Once upon a time, in a land far away, there lived"]
MESSAGES = [
    {"role": "system", "content": "You answer in one short sentence."},
    {"role": "user", "content": "Which planet is known as the red one?"},
]


@pytest.mark.task("1.3")
@pytest.mark.timeout(30)
@pytest.mark.parametrize("role", ["tiny-seq2seq", "tiny-causal"])
def test_round_trip_keeps_the_text(kata, zoo, role):
    repo_id = zoo.repo_id(role)
    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    ids, text = kata.round_trip(repo_id, TEXT)
    assert isinstance(ids, list) and all(isinstance(i, int) for i in ids), (
        f"the ids should be a plain list of ints, got {type(ids).__name__}: "
        "take tokenizer(text)['input_ids'] (no return_tensors)"
    )
    assert ids == tokenizer(TEXT)["input_ids"], (
        "the ids differ from what the model expects: encode with the tokenizer's defaults, which "
        "include its special tokens (add_special_tokens=True)"
    )
    leftovers = [token for token in tokenizer.all_special_tokens if token in text]
    assert not leftovers, (
        f"the decoded text still contains special tokens {leftovers}: decode with "
        "skip_special_tokens=True"
    )
    assert text == TEXT, (
        f"decoding gave {text!r}, not the original {TEXT!r}: use tokenizer.decode(ids)"
    )


@pytest.mark.task("1.4")
@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("role", "expected"),
    [("tiny-encoder", ["[CLS]", "[SEP]"]), ("tiny-seq2seq", ["</s>"]), ("tiny-causal", [])],
)
def test_special_tokens_added(kata, zoo, role, expected):
    repo_id = zoo.repo_id(role)
    got = kata.special_tokens_added(repo_id, TEXT)
    assert got == expected, (
        f"{repo_id}'s tokenizer adds {expected or 'no special tokens'}, got {got!r}: encode the "
        "text, turn the ids back into tokens (convert_ids_to_tokens) and keep those in "
        "tokenizer.all_special_tokens"
    )


@pytest.mark.task("1.5")
@pytest.mark.timeout(30)
@pytest.mark.parametrize("role", ["tiny-causal", "tiny-dropout"])
def test_decoder_only_tokenizer_gets_a_pad_token(kata, zoo, role):
    repo_id = zoo.repo_id(role)
    tokenizer = kata.load_tokenizer_for_generation(repo_id)
    assert tokenizer.pad_token is not None, (
        "the tokenizer has no pad token: set it (for decoder-only models the usual choice is the "
        "EOS token: tokenizer.pad_token = tokenizer.eos_token)"
    )
    assert len(tokenizer) == len(AutoTokenizer.from_pretrained(repo_id)), (
        "you added a new token, which the model's embeddings don't know: reuse an existing token "
        "as the pad token (the EOS token)"
    )


@pytest.mark.task("1.5")
@pytest.mark.timeout(30)
def test_an_existing_pad_token_is_kept(kata, zoo):
    repo_id = zoo.repo_id("tiny-seq2seq")
    original = AutoTokenizer.from_pretrained(repo_id).pad_token
    tokenizer = kata.load_tokenizer_for_generation(repo_id)
    assert tokenizer.pad_token == original, (
        f"this tokenizer already had the pad token {original!r} and it became "
        f"{tokenizer.pad_token!r}: only set one when tokenizer.pad_token is None"
    )


@pytest.mark.task("1.5")
@pytest.mark.timeout(30)
def test_padding_goes_on_the_left_for_generation(kata, zoo):
    tokenizer = kata.load_tokenizer_for_generation(zoo.repo_id("tiny-causal"))
    assert tokenizer.pad_token is not None, (
        "the tokenizer has no pad token: set it (for decoder-only models the usual choice is the "
        "EOS token)"
    )
    batch = tokenizer(PROMPTS, padding=True, return_tensors="pt")
    assert bool(batch["attention_mask"][:, -1].all()), (
        "the short prompt ends in padding: a decoder-only model continues from the last "
        "position, so pad on the left (tokenizer.padding_side = 'left')"
    )


@pytest.mark.task("1.6")
@pytest.mark.timeout(30)
@pytest.mark.parametrize("max_length", [6, 11])
def test_encode_batch_pads_truncates_and_masks(kata, zoo, max_length):
    repo_id = zoo.repo_id("tiny-encoder")
    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    batch = kata.encode_batch(repo_id, PROMPTS, max_length)
    ids, mask = batch.get("input_ids"), batch.get("attention_mask")
    assert isinstance(ids, torch.Tensor) and isinstance(mask, torch.Tensor), (
        "input_ids and attention_mask should be PyTorch tensors: pass return_tensors='pt' "
        "(and padding=True, so every row has the same length)"
    )
    assert ids.shape[0] == len(PROMPTS), (
        f"expected one row per text ({len(PROMPTS)}), got {ids.shape[0]}"
    )
    assert ids.shape[1] <= max_length, (
        f"rows have {ids.shape[1]} tokens, more than max_length={max_length}: pass "
        "truncation=True and max_length=max_length"
    )
    for row, text in enumerate(PROMPTS):
        tokens = len(tokenizer(text)["input_ids"])
        real = min(tokens, max_length)
        assert int(mask[row].sum()) == real, (
            f"row {row} has {int(mask[row].sum())} tokens marked 1 in the attention mask, but "
            f"its text has {tokens} tokens and max_length={max_length} keeps {real}: encode with "
            "max_length=max_length and truncation=True, and return the mask the tokenizer builds"
        )
        assert bool((ids[row][mask[row] == 0] == tokenizer.pad_token_id).all()), (
            f"row {row}: positions masked with 0 should hold the pad token"
        )


@pytest.mark.task("1.7")
@pytest.mark.timeout(60)
@pytest.mark.parametrize("role", ["tiny-causal", "chat"])
def test_chat_prompt_ends_where_the_answer_begins(kata, zoo, role):
    repo_id = zoo.repo_id(role)
    prompt = kata.chat_prompt(repo_id, MESSAGES)
    assert isinstance(prompt, str), (
        f"chat_prompt should return the prompt as text, got {type(prompt).__name__}: pass "
        "tokenize=False to apply_chat_template"
    )
    positions = [prompt.find(message["content"]) for message in MESSAGES]
    assert -1 not in positions and positions == sorted(positions), (
        "every message's content should appear in the prompt, in order: pass the whole "
        "messages list to tokenizer.apply_chat_template"
    )
    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    conversation = tokenizer.apply_chat_template(MESSAGES, tokenize=False)
    assert prompt.startswith(conversation) and len(prompt) > len(conversation), (
        "the prompt stops after the user's message, so the model would go on writing the user's "
        "turn: pass add_generation_prompt=True to open the assistant's turn"
    )
