"""The zoo's models: a role (what a test needs) → a repo id and a recipe to build it offline."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from hfkatas.setup.pypi import installed_version
from hfkatas.zoo import real, tiny

RECIPE_VERSION = 3  # bump to rebuild every cached model after a change in the builders
# The libraries whose versions shape a saved model or tokenizer: a change rebuilds the zoo.
BUILT_WITH = ("torch", "transformers", "tokenizers", "safetensors", "gguf")


@cache
def built_with() -> dict[str, str | None]:
    """The installed versions of the libraries that build the zoo (part of every revision)."""
    return {name: installed_version(name) for name in BUILT_WITH}


@dataclass(frozen=True)
class Recipe:
    """How to build one zoo model."""

    repo_id: str
    builder: Callable[..., None]
    params: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    packages: tuple[str, ...] = ()  # pinned PyPI packages the builder reads (`katas setup`)
    build_seconds: int = 5  # about how long a build takes on 2 laptop cores

    @property
    def revision(self) -> str:
        """A stable 40-hex 'commit sha' for this exact recipe built by these library versions."""
        spec = json.dumps(
            [RECIPE_VERSION, self.repo_id, self.builder.__name__, self.params, built_with()],
            sort_keys=True,
        )
        return hashlib.sha1(spec.encode()).hexdigest()

    def build(self, folder: Path) -> None:
        self.builder(folder, **self.params)


CATALOG: dict[str, Recipe] = {
    "tiny-causal": Recipe(
        "hf-katas/tiny-llama",
        tiny.build_llama,
        dict(
            vocab_size=400,
            model_max_length=128,
            hidden_size=48,
            intermediate_size=96,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
        ),
        "decoder-only (Llama), random weights, tokenizer WITHOUT a pad token, 128-token context",
    ),
    "tiny-dropout": Recipe(
        "hf-katas/tiny-gpt2",
        tiny.build_gpt2,
        dict(vocab_size=350, dropout=0.2, n_positions=96, n_embd=40, n_layer=3, n_head=4),
        "decoder-only (GPT-2), random weights, dropout 0.2, tokenizer without a pad token",
    ),
    "tiny-encoder": Recipe(
        "hf-katas/tiny-bert",
        tiny.build_bert,
        dict(
            vocab_size=300,
            labels=["negative", "neutral", "positive"],
            hidden_size=36,
            num_hidden_layers=2,
            num_attention_heads=3,
            intermediate_size=72,
            max_position_embeddings=64,
        ),
        "encoder (BERT) with a 3-label classification head, random weights",
    ),
    "tiny-seq2seq": Recipe(
        "hf-katas/tiny-t5",
        tiny.build_t5,
        dict(
            vocab_size=380,
            model_max_length=64,
            d_model=32,
            d_ff=64,
            d_kv=8,
            num_layers=2,
            num_decoder_layers=2,
            num_heads=4,
        ),
        "encoder-decoder (T5), random weights",
    ),
    "chat": Recipe(
        "HuggingFaceTB/SmolLM2-135M-Instruct",
        real.build_smollm2,
        description="SmolLM2-135M-Instruct: real chat model (Llama, 135M parameters, fp32)",
        packages=(real.SMOLLM2_REQUIREMENT,),
        build_seconds=60,
    ),
    "embed": Recipe(
        "sentence-transformers/all-MiniLM-L6-v2",
        real.build_minilm,
        description="all-MiniLM-L6-v2: real sentence-embedding encoder (BERT, 22.7M parameters)",
        packages=(real.MINILM_REQUIREMENT,),
    ),
}
