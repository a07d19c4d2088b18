"""The offline model zoo: repo ids resolve offline, properties the katas rely on, self-repair."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

from hfkatas.zoo import UnknownModelError, Zoo, hubcache

pytestmark = pytest.mark.timeout(120)
TINY = ("tiny-causal", "tiny-dropout", "tiny-encoder", "tiny-seq2seq")


@pytest.mark.parametrize("role", TINY)
def test_tiny_models_load_by_repo_id_offline(zoo, role):
    repo_id = zoo.repo_id(role)
    assert "/" in repo_id
    assert AutoConfig.from_pretrained(repo_id).model_type
    assert len(AutoTokenizer.from_pretrained(repo_id)) > 100


def test_decoder_tokenizers_have_no_pad_token(zoo):
    for role in ("tiny-causal", "tiny-dropout"):
        assert AutoTokenizer.from_pretrained(zoo.repo_id(role)).pad_token is None, role


def test_the_dropout_model_is_random_in_train_mode_and_not_in_eval(zoo):
    model = AutoModelForCausalLM.from_pretrained(zoo.repo_id("tiny-dropout"))
    ids = torch.tensor([[5, 6, 7, 8]])
    model.train()
    assert not torch.equal(model(ids).logits, model(ids).logits)
    model.eval()
    assert torch.equal(model(ids).logits, model(ids).logits)


def test_variants_have_their_own_repo_id_and_size(zoo):
    base = AutoModelForCausalLM.from_pretrained(zoo.repo_id("tiny-causal"))
    variant_id = zoo.variant("tiny-causal", hidden_size=64, num_hidden_layers=3)
    variant = AutoModelForCausalLM.from_pretrained(variant_id)
    assert variant_id != zoo.repo_id("tiny-causal")
    assert (variant.config.hidden_size, variant.config.num_hidden_layers) == (64, 3)
    assert variant.num_parameters() > base.num_parameters()
    assert zoo.variant("tiny-causal", hidden_size=64, num_hidden_layers=3) == variant_id


def test_unknown_roles_get_a_list_of_the_zoo():
    with pytest.raises(UnknownModelError, match=r"no 'gpt-5'.*tiny-causal \(hf-katas/tiny-llama\)"):
        Zoo(Path("/nonexistent")).recipe("gpt-5")


def test_overrides_replace_a_role_without_building(tmp_path):
    zoo = Zoo(tmp_path, overrides={"chat": "HuggingFaceTB/SmolLM2-360M-Instruct"})
    assert zoo.repo_id("chat") == "HuggingFaceTB/SmolLM2-360M-Instruct"
    assert not any((tmp_path / "hf_home" / "hub").glob("models--*"))


def test_a_corrupt_or_half_written_entry_is_rebuilt(tmp_path):
    zoo = Zoo(tmp_path)
    recipe = zoo.recipe("tiny-seq2seq")
    snapshot = zoo.path("tiny-seq2seq")
    weights = snapshot / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    assert hubcache.cached_snapshot(zoo.hub_cache, recipe.repo_id, recipe.revision) is None
    zoo.repo_id("tiny-seq2seq")
    model = AutoModelForSeq2SeqLM.from_pretrained(recipe.repo_id, cache_dir=zoo.hub_cache)
    assert model.num_parameters() > 0

    marker = (
        hubcache.repo_folder(zoo.hub_cache, recipe.repo_id) / ".katas" / f"{recipe.revision}.json"
    )
    marker.unlink()
    assert hubcache.cached_snapshot(zoo.hub_cache, recipe.repo_id, recipe.revision) is None
    assert zoo.path("tiny-seq2seq") == snapshot and marker.exists()


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_real_models_answer_sensibly(zoo):
    tokenizer = AutoTokenizer.from_pretrained(zoo.repo_id("chat"))
    model = AutoModelForCausalLM.from_pretrained(zoo.repo_id("chat")).eval()
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    inputs = tokenizer.apply_chat_template(
        messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
    )
    output = model.generate(**inputs, max_new_tokens=12, do_sample=False)
    answer = tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
    assert "Paris" in answer, answer
    assert AutoConfig.from_pretrained(zoo.repo_id("embed")).model_type == "bert"
