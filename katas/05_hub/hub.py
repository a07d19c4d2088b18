"""Kata 05 · Push models and datasets to the Hub — repos, commits, cards, branches, adapters.

Read the task in README.md, replace `raise NotImplementedError` with your code, and run
`pytest katas/05_hub`. The tests start a local Hub on 127.0.0.1 and point every library at it
(HF_ENDPOINT), logged in through HF_TOKEN: never write a token into this file.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence  # noqa: F401
from contextlib import contextmanager  # noqa: F401
from pathlib import Path

import huggingface_hub as hh  # noqa: F401  (everything this kata needs is imported for you)
from datasets import Dataset, DatasetDict, load_dataset  # noqa: F401
from huggingface_hub import ModelCard, ModelCardData  # noqa: F401
from huggingface_hub.errors import (  # noqa: F401
    HfHubHTTPError,
    LocalTokenNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from peft import PeftModel
from transformers import (  # noqa: F401
    AutoModelForCausalLM,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

# What a training run leaves in its output folder that does not belong in a model repo.
NOT_FOR_THE_HUB = ("checkpoint-*", "runs/*", "*.log")


# ------------------------------------------------------------------ 5.1–5.2 who you are, a repo


def current_user() -> str:
    """The name of the user the token in HF_TOKEN (or the one saved by `login()`) belongs to.
    No token, or one the Hub refuses: a PermissionError that says to set HF_TOKEN or log in."""
    # TODO 5.1
    raise NotImplementedError


def create_private_repo(name: str, repo_type: str = "model") -> str:
    """Create the private repo `name` ("model" or "dataset") in your namespace and return its
    repo id ("user/name"). If it exists already, reuse it as it is."""
    # TODO 5.2
    raise NotImplementedError


# ------------------------------------------------------------------ 5.3–5.5 models


def push_model(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, repo_id: str) -> None:
    """Push the model (weights and config) and its tokenizer to `repo_id`; a repo that does
    not exist yet is created private."""
    # TODO 5.3
    raise NotImplementedError


def upload_model_folder(folder: str | Path, repo_id: str, commit_message: str) -> str:
    """Upload the model folder of a training run to `repo_id` in ONE commit titled
    `commit_message`, leaving out what matches `NOT_FOR_THE_HUB`; return the commit's sha.
    A missing repo is a ValueError, a token that may not write a PermissionError (task 5.10)."""
    # TODO 5.4
    # TODO 5.10: explain a missing repo and a token that may not write
    raise NotImplementedError


def push_model_card(
    repo_id: str, base_model: str, license: str, datasets: Sequence[str], tags: Sequence[str]
) -> ModelCard:
    """Write `repo_id`'s model card (README.md): metadata from the arguments, a sentence about
    the model, and a ```python usage snippet that loads it by repo id. Push it and return it."""
    # TODO 5.5
    raise NotImplementedError


# ------------------------------------------------------------------ 5.6–5.7 datasets, loading


def push_dataset_splits(
    dataset: Dataset, repo_id: str, validation_fraction: float = 0.2, seed: int = 0
) -> DatasetDict:
    """Split `dataset` into "train" and "validation" (that fraction of the rows, shuffled with
    `seed`), push both splits to the dataset repo `repo_id` (private) and return them. A
    fraction outside (0, 1) is a ValueError, raised before anything is pushed."""
    # TODO 5.6
    raise NotImplementedError


def load_model(
    repo_id: str, revision: str | None = None
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load a causal LM (in eval mode) and its tokenizer by repo id, at `revision` (a branch or
    a commit sha) if given. A missing repo or revision is a ValueError naming it (task 5.10)."""
    # TODO 5.7
    # TODO 5.10: explain a missing repo or revision
    raise NotImplementedError


def load_splits(repo_id: str, revision: str | None = None) -> DatasetDict:
    """Load every split of the dataset repo `repo_id`, at `revision` if given."""
    # TODO 5.7
    raise NotImplementedError


# ------------------------------------------------------------------ 5.8–5.9 revisions, adapters


def create_branch_at_head(repo_id: str, branch: str) -> str:
    """Create `branch` at the current commit of `main` and return that commit's sha (the
    revision to pin). A branch that exists already is a ValueError, and stays where it was."""
    # TODO 5.8
    raise NotImplementedError


def push_adapter(peft_model: PeftModel, repo_id: str) -> None:
    """Push only the LoRA adapter of `peft_model` (its config and weights, not the base
    model) to `repo_id`; a new repo is created private."""
    # TODO 5.9
    raise NotImplementedError


def load_adapter(base_model: PreTrainedModel, repo_id: str) -> PeftModel:
    """Put the adapter stored in `repo_id` on `base_model` and return the result in eval mode."""
    # TODO 5.9
    raise NotImplementedError
