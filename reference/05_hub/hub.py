"""Kata 05 · Push models and datasets to the Hub — reference solution."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import huggingface_hub as hh
from datasets import Dataset, DatasetDict, load_dataset
from huggingface_hub import ModelCard, ModelCardData
from huggingface_hub.errors import (
    HfHubHTTPError,
    LocalTokenNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from peft import PeftModel
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

# What a training run leaves in its output folder that does not belong in a model repo.
NOT_FOR_THE_HUB = ("checkpoint-*", "runs/*", "*.log")


@contextmanager
def _explained(repo_id: str, revision: str | None = None) -> Iterator[None]:
    """Turn the Hub's HTTP errors about `repo_id` into messages that say what to do."""
    try:
        yield
    except RevisionNotFoundError as error:
        raise ValueError(
            f"{repo_id} has no revision {revision!r}: use a branch name, or a commit sha from "
            "its history (list_repo_commits)"
        ) from error
    except RepositoryNotFoundError as error:
        raise ValueError(
            f"repo {repo_id} was not found: check its name, create it first, or, if it is "
            "private, use a token of its owner"
        ) from error
    except HfHubHTTPError as error:
        status = error.response.status_code if error.response is not None else None
        if status in (401, 403):
            raise PermissionError(
                f"your token may not write to {repo_id}: use a token with the write role "
                "from the repo's owner (set HF_TOKEN or run `hf auth login`)"
            ) from error
        raise


def current_user() -> str:
    """The name of the user the token in HF_TOKEN (or the one saved by `login()`) belongs to.
    No token, or one the Hub refuses: a PermissionError that says to set HF_TOKEN or log in."""
    try:
        return hh.whoami()["name"]
    except LocalTokenNotFoundError as error:
        raise PermissionError(
            "no Hugging Face token found: set HF_TOKEN or run `hf auth login`"
        ) from error
    except HfHubHTTPError as error:
        raise PermissionError(
            "the Hub refused your token: it is invalid or expired. Create a new one and set "
            "HF_TOKEN or run `hf auth login` again"
        ) from error


def create_private_repo(name: str, repo_type: str = "model") -> str:
    """Create the private repo `name` ("model" or "dataset") in your namespace and return its
    repo id ("user/name"). If it exists already, reuse it as it is."""
    return hh.create_repo(name, repo_type=repo_type, private=True, exist_ok=True).repo_id


def push_model(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, repo_id: str) -> None:
    """Push the model (weights and config) and its tokenizer to `repo_id`; a repo that does
    not exist yet is created private."""
    model.push_to_hub(repo_id, private=True)
    tokenizer.push_to_hub(repo_id, private=True)


def upload_model_folder(folder: str | Path, repo_id: str, commit_message: str) -> str:
    """Upload the model folder of a training run to `repo_id` in ONE commit titled
    `commit_message`, leaving out what matches `NOT_FOR_THE_HUB`; return the commit's sha.
    A missing repo is a ValueError, a token that may not write a PermissionError (task 5.10)."""
    with _explained(repo_id):
        commit = hh.upload_folder(
            folder_path=folder,
            repo_id=repo_id,
            commit_message=commit_message,
            ignore_patterns=list(NOT_FOR_THE_HUB),
        )
    return commit.oid


def push_model_card(
    repo_id: str, base_model: str, license: str, datasets: Sequence[str], tags: Sequence[str]
) -> ModelCard:
    """Write `repo_id`'s model card (README.md): metadata from the arguments, a sentence about
    the model, and a ```python usage snippet that loads it by repo id. Push it and return it."""
    data = ModelCardData(
        license=license, base_model=base_model, datasets=list(datasets), tags=list(tags)
    )
    content = "\n".join(
        [
            "---",
            data.to_yaml(),
            "---",
            "",
            f"# {repo_id.split('/')[-1]}",
            "",
            f"A fine-tuned version of `{base_model}`.",
            "",
            "## Usage",
            "",
            "```python",
            "from transformers import AutoModelForCausalLM, AutoTokenizer",
            "",
            f'model = AutoModelForCausalLM.from_pretrained("{repo_id}")',
            f'tokenizer = AutoTokenizer.from_pretrained("{repo_id}")',
            "```",
            "",
        ]
    )
    card = ModelCard(content)
    card.push_to_hub(repo_id, commit_message="Add model card")
    return card


def push_dataset_splits(
    dataset: Dataset, repo_id: str, validation_fraction: float = 0.2, seed: int = 0
) -> DatasetDict:
    """Split `dataset` into "train" and "validation" (that fraction of the rows, shuffled with
    `seed`), push both splits to the dataset repo `repo_id` (private) and return them. A
    fraction outside (0, 1) is a ValueError, raised before anything is pushed."""
    if not 0 < validation_fraction < 1:
        raise ValueError(
            f"validation_fraction must be between 0 and 1 (exclusive), got {validation_fraction}"
        )
    parts = dataset.train_test_split(test_size=validation_fraction, seed=seed)
    splits = DatasetDict({"train": parts["train"], "validation": parts["test"]})
    splits.push_to_hub(repo_id, private=True)
    return splits


def load_model(
    repo_id: str, revision: str | None = None
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load a causal LM (in eval mode) and its tokenizer by repo id, at `revision` (a branch or
    a commit sha) if given. A missing repo or revision is a ValueError naming it (task 5.10)."""
    with _explained(repo_id, revision):
        hh.model_info(repo_id, revision=revision)  # transformers would wrap these errors in OSError
    model = AutoModelForCausalLM.from_pretrained(repo_id, revision=revision)
    tokenizer = AutoTokenizer.from_pretrained(repo_id, revision=revision)
    return model.eval(), tokenizer


def load_splits(repo_id: str, revision: str | None = None) -> DatasetDict:
    """Load every split of the dataset repo `repo_id`, at `revision` if given."""
    with _explained(repo_id, revision):
        return load_dataset(repo_id, revision=revision)


def create_branch_at_head(repo_id: str, branch: str) -> str:
    """Create `branch` at the current commit of `main` and return that commit's sha (the
    revision to pin). A branch that exists already is a ValueError, and stays where it was."""
    head = hh.model_info(repo_id).sha
    try:
        hh.create_branch(repo_id, branch=branch, revision=head)
    except HfHubHTTPError as error:
        if error.response is not None and error.response.status_code == 409:
            raise ValueError(
                f"{repo_id} already has a branch {branch!r}: pick another name, or delete it "
                "first if you really mean to move it"
            ) from error
        raise
    return head


def push_adapter(peft_model: PeftModel, repo_id: str) -> None:
    """Push only the LoRA adapter of `peft_model` (its config and weights, not the base
    model) to `repo_id`; a new repo is created private."""
    peft_model.push_to_hub(repo_id, private=True)


def load_adapter(base_model: PreTrainedModel, repo_id: str) -> PeftModel:
    """Put the adapter stored in `repo_id` on `base_model` and return the result in eval mode."""
    return PeftModel.from_pretrained(base_model, repo_id).eval()
