"""Task 5.9: push a LoRA adapter and put it back on a base model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ADAPTER_FILES = {"adapter_config.json", "adapter_model.safetensors"}


def _logits(model, tokenizer):  # type: ignore[no-untyped-def]
    import torch

    ids = tokenizer("the adapter changes these logits", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        return model(input_ids=ids).logits


@pytest.mark.task("5.9")
@pytest.mark.timeout(60)
def test_push_adapter_uploads_only_the_adapter(kata, hub_api, repo_id, lora_model):
    from huggingface_hub import hf_hub_download

    kata.push_adapter(lora_model, repo_id)
    files = set(hub_api.list_repo_files(repo_id))
    assert "model.safetensors" not in files, (
        f"the repo has {sorted(files)}: the full model was pushed. Push the adapter only (the "
        "PeftModel itself, not merge_and_unload's model): it is a tiny fraction of the size"
    )
    assert files >= ADAPTER_FILES, (
        f"the repo has {sorted(files)}: push the PeftModel itself, which saves "
        "adapter_config.json and adapter_model.safetensors"
    )
    assert hub_api.repo_info(repo_id).private, "push the adapter with private=True"
    config = json.loads(Path(hf_hub_download(repo_id, "adapter_config.json")).read_text())
    base = lora_model.get_base_model().config._name_or_path
    assert config["base_model_name_or_path"] == base, (
        f"adapter_config.json names the base model {config['base_model_name_or_path']!r}, "
        f"not {base!r}: push the PeftModel built on that base"
    )


@pytest.mark.task("5.9")
@pytest.mark.timeout(60)
def test_load_adapter_restores_the_adapted_model(kata, hub, repo_id, lora_model, resized_llama):
    import copy

    import torch

    base_model, tokenizer, _ = resized_llama
    lora_model.push_to_hub(repo_id, private=True)
    expected = _logits(lora_model, tokenizer)
    base_logits = _logits(base_model, tokenizer)
    loaded = kata.load_adapter(copy.deepcopy(base_model).train(), repo_id)
    logits = _logits(loaded, tokenizer)
    assert not torch.allclose(logits, base_logits), (
        "the model load_adapter returned behaves like the bare base model: load the adapter "
        "onto it with PeftModel.from_pretrained(base_model, repo_id)"
    )
    assert torch.allclose(logits, expected, atol=1e-5), (
        "the model with the loaded adapter gives other logits than the adapted model that was "
        "pushed: load the adapter from repo_id, unchanged"
    )
    assert not loaded.training, "return the adapted model in eval mode (.eval())"
