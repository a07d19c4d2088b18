"""Tasks 1.1–1.2: read a model's config and tell its architecture family."""

from __future__ import annotations

import json

import pytest

FAMILY_HINTS = {
    "encoder-decoder": "its config has is_encoder_decoder=True (T5, BART): check that first",
    "decoder": "its config.architectures names a …ForCausalLM / …LMHeadModel head (GPT-2, Llama)",
    "encoder": "BERT-like models only encode: not is_encoder_decoder, and no causal-LM head "
    "in config.architectures",
}


@pytest.mark.task("1.1")
@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("fixture", "model_type", "hidden_size", "layers"),
    [("small_gpt2", "gpt2", 44, 2), ("small_t5", "t5", 24, 3)],
)
def test_config_summary_reads_the_config(
    kata, zoo, request, from_pretrained_calls, fixture, model_type, hidden_size, layers
):
    repo_id = request.getfixturevalue(fixture)
    try:
        summary = kata.config_summary(repo_id)
    except (AttributeError, KeyError) as error:
        raise AssertionError(
            f"reading the config of {repo_id} failed ({type(error).__name__}: {error}): a "
            f"{model_type} config.json has its own names (n_embd, d_model), but every config "
            "object answers to config.hidden_size, config.num_hidden_layers and "
            "config.vocab_size"
        ) from None
    assert not from_pretrained_calls, (
        f"config_summary loaded the whole model ({from_pretrained_calls[0]}) to read its "
        "config: use AutoConfig.from_pretrained(repo_id), which reads config.json only (not its "
        "weights: gigabytes for a large model)"
    )
    assert isinstance(summary, dict), (
        f"config_summary should return a dict, got {type(summary).__name__}"
    )
    missing = {"model_type", "hidden_size", "num_hidden_layers", "vocab_size"} - set(summary)
    assert not missing, f"config_summary's dict lacks the keys {sorted(missing)}"
    assert summary["model_type"] == model_type, (
        f"model_type of {repo_id} is {model_type!r}, got {summary['model_type']!r}: read config.model_type"
    )
    assert summary["hidden_size"] == hidden_size, (
        f"{repo_id} has hidden_size {hidden_size}, got {summary['hidden_size']}: read it from "
        "AutoConfig.from_pretrained(repo_id), not a number you remember (config.hidden_size works "
        "for every family, even where config.json calls it n_embd or d_model)"
    )
    assert summary["num_hidden_layers"] == layers, (
        f"{repo_id} has {layers} layers, got {summary['num_hidden_layers']}: read config.num_hidden_layers"
    )
    vocab = json.loads((zoo.path(repo_id) / "config.json").read_text())["vocab_size"]
    assert summary["vocab_size"] == vocab, (
        f"{repo_id} has a vocabulary of {vocab}, got {summary['vocab_size']}: read config.vocab_size"
    )


@pytest.mark.task("1.2")
@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("role", "family"),
    [
        ("tiny-causal", "decoder"),
        ("tiny-dropout", "decoder"),
        ("tiny-encoder", "encoder"),
        ("tiny-seq2seq", "encoder-decoder"),
    ],
)
def test_architecture_family_from_the_config(kata, zoo, role, family):
    repo_id = zoo.repo_id(role)
    got = kata.architecture_family(repo_id)
    assert got == family, f"{repo_id} is {family!r}, got {got!r}: {FAMILY_HINTS[family]}"


# Model types the zoo does not have: a table of the model_types you know cannot answer them.
OTHER_ARCHITECTURES = [
    ("gpt_neox", "GPTNeoXForCausalLM", "decoder"),
    ("olmo", "OlmoForCausalLM", "decoder"),
    ("roberta", "RobertaForSequenceClassification", "encoder"),
    ("bart", "BartForConditionalGeneration", "encoder-decoder"),
]


@pytest.mark.task("1.2")
@pytest.mark.timeout(30)
@pytest.mark.parametrize(("model_type", "architecture", "family"), OTHER_ARCHITECTURES)
def test_architecture_family_of_models_outside_the_zoo(
    kata, tmp_path, model_type, architecture, family
):
    from transformers import AutoConfig

    AutoConfig.for_model(model_type, architectures=[architecture]).save_pretrained(tmp_path)
    got = kata.architecture_family(str(tmp_path))
    assert got == family, (
        f"a {model_type} saved as {architecture} is {family!r}, got {got!r}: decide from the "
        "config's fields (is_encoder_decoder, architectures), not from a list of model_type "
        f"names you know ({FAMILY_HINTS[family]})"
    )
