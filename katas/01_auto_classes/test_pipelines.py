"""Tasks 1.12–1.14: pipeline() for text generation, feature extraction and classification."""

from __future__ import annotations

import pytest
import torch
from transformers import (
    AutoModel,
    AutoModelForCausalLM,
    AutoModelForSequenceClassification,
    AutoTokenizer,
)

TEXTS = ["What a wonderful film.", "I want my money back.", "It was fine, I guess."]


@pytest.mark.task("1.12")
@pytest.mark.timeout(60)
@pytest.mark.parametrize(("prompt", "new_tokens"), [("Once upon a time", 4), ("The sea", 6)])
def test_generate_text_is_greedy_and_returns_only_new_text(kata, zoo, prompt, new_tokens):
    repo_id = zoo.repo_id("tiny-causal")
    text = kata.generate_text(repo_id, prompt, new_tokens)
    assert isinstance(text, str), (
        f"return the generated text as a string, got {type(text).__name__}: the pipeline returns "
        "[{'generated_text': ...}]"
    )
    assert not text.startswith(prompt), (
        "the result starts with the prompt: pass return_full_text=False to get only the new text"
    )
    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    model = AutoModelForCausalLM.from_pretrained(repo_id)
    inputs = tokenizer(prompt, return_tensors="pt")
    output = model.generate(
        **inputs, max_new_tokens=new_tokens, do_sample=False, pad_token_id=tokenizer.eos_token_id
    )
    expected = tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
    assert text == expected, (
        f"got {text!r}, but greedy decoding of {new_tokens} new tokens gives {expected!r}: pass "
        "max_new_tokens and do_sample=False to the pipeline"
    )


@pytest.mark.task("1.13")
@pytest.mark.timeout(60)
def test_token_features_one_vector_per_token(kata, four_label_bert):
    text = TEXTS[0]
    features = kata.token_features(four_label_bert, text)
    assert isinstance(features, torch.Tensor), (
        f"token_features returned a {type(features).__name__}, not a tensor: the pipeline "
        "gives nested Python lists unless you pass return_tensors=True"
    )
    tokenizer = AutoTokenizer.from_pretrained(four_label_bert)
    model = AutoModel.from_pretrained(four_label_bert)
    with torch.no_grad():
        expected = model(**tokenizer(text, return_tensors="pt")).last_hidden_state[0]
    assert tuple(features.shape) == tuple(expected.shape), (
        f"expected (tokens, hidden_size) = {tuple(expected.shape)}, got {tuple(features.shape)}: "
        "the pipeline returns a batch of one, take its first element (result[0])"
    )
    assert torch.allclose(features.float(), expected, atol=1e-4), (
        "the features differ from the model's last_hidden_state: use "
        "pipeline('feature-extraction', model=repo_id)"
    )


@pytest.mark.task("1.14")
@pytest.mark.timeout(60)
def test_classify_returns_the_models_label_names(kata, four_label_bert):
    labels = kata.classify(four_label_bert, TEXTS)
    tokenizer = AutoTokenizer.from_pretrained(four_label_bert)
    model = AutoModelForSequenceClassification.from_pretrained(four_label_bert)
    with torch.no_grad():
        logits = model(**tokenizer(TEXTS, padding=True, return_tensors="pt")).logits
    expected = [model.config.id2label[int(i)] for i in logits.argmax(-1)]
    assert isinstance(labels, list) and len(labels) == len(TEXTS), (
        f"return one label per text ({len(TEXTS)}), got {labels!r}"
    )
    assert labels == expected, (
        f"got {labels}, but the model predicts {expected}: use "
        "pipeline('text-classification', model=repo_id) and keep each result's 'label'"
    )
