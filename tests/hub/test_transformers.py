"""`push_to_hub` / `from_pretrained` of config, tokenizer, model and a PEFT adapter."""

from __future__ import annotations

import pytest

from hfkatas.hub.testing import HubHandle

pytestmark = pytest.mark.timeout(120)


def tiny_model():  # type: ignore[no-untyped-def]
    """A 2-layer GPT-2 with 32-dim embeddings, deterministic weights."""
    import torch
    import transformers

    torch.manual_seed(0)
    config = transformers.GPT2Config(n_embd=32, n_layer=2, n_head=2, vocab_size=100, n_positions=64)
    return transformers.GPT2LMHeadModel(config)


def tiny_tokenizer():  # type: ignore[no-untyped-def]
    """A word-level tokenizer over a handful of words."""
    import tokenizers
    import transformers

    vocab = {word: i for i, word in enumerate(["[UNK]", "[PAD]", "hello", "hub", "world"])}
    backend = tokenizers.Tokenizer(tokenizers.models.WordLevel(vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = tokenizers.pre_tokenizers.Whitespace()
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]"
    )


def test_push_model_tokenizer_and_load_back(hub: HubHandle, repo_name: str) -> None:
    import huggingface_hub as hh
    import torch
    import transformers

    repo_id = f"{hub.user}/{repo_name}"
    model, tokenizer = tiny_model(), tiny_tokenizer()
    model.push_to_hub(repo_id)
    tokenizer.push_to_hub(repo_id)

    files = set(hh.list_repo_files(repo_id))
    assert {"config.json", "model.safetensors", "tokenizer.json", "README.md"} <= files
    lfs_files = {f.path for f in hh.list_repo_tree(repo_id) if getattr(f, "lfs", None)}
    assert lfs_files == {"model.safetensors"}, "weights go through Git LFS, JSON inline"

    loaded = transformers.AutoModelForCausalLM.from_pretrained(repo_id)
    for name, tensor in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], tensor), name
    assert transformers.AutoConfig.from_pretrained(repo_id).n_embd == 32
    loaded_tokenizer = transformers.AutoTokenizer.from_pretrained(repo_id)
    assert loaded_tokenizer("hello world")["input_ids"] == [2, 4]


def test_from_pretrained_by_revision(hub: HubHandle, repo_name: str) -> None:
    import huggingface_hub as hh
    import transformers

    repo_id = f"{hub.user}/{repo_name}"
    config = transformers.GPT2Config(n_embd=32, n_layer=2, n_head=2, vocab_size=100)
    first = config.push_to_hub(repo_id, commit_message="first config")
    config.n_layer = 3
    config.push_to_hub(repo_id, commit_message="second config")
    hh.create_branch(repo_id, branch="v1", revision=first.oid)

    assert transformers.AutoConfig.from_pretrained(repo_id).n_layer == 3
    assert transformers.AutoConfig.from_pretrained(repo_id, revision=first.oid).n_layer == 2
    assert transformers.AutoConfig.from_pretrained(repo_id, revision="v1").n_layer == 2
    titles = [c.title for c in hh.list_repo_commits(repo_id)]
    assert titles == ["second config", "first config", "initial commit"]
    refs = hh.list_repo_refs(repo_id)
    assert {b.name: b.target_commit for b in refs.branches}["v1"] == first.oid


def test_push_and_load_peft_adapter(hub: HubHandle, repo_name: str) -> None:
    import huggingface_hub as hh
    import peft
    import torch

    repo_id = f"{hub.user}/{repo_name}"
    base = tiny_model()
    config = peft.LoraConfig(r=2, lora_alpha=4, target_modules=["c_attn"], init_lora_weights=False)
    adapted = peft.get_peft_model(base, config)
    adapted.push_to_hub(repo_id)
    assert {"adapter_config.json", "adapter_model.safetensors"} <= set(hh.list_repo_files(repo_id))

    loaded = peft.PeftModel.from_pretrained(tiny_model(), repo_id)
    expected = {k: v for k, v in adapted.state_dict().items() if "lora_" in k}
    actual = loaded.state_dict()
    assert expected and all(torch.equal(actual[k], v) for k, v in expected.items())
