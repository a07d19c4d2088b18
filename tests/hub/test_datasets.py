"""`Dataset.push_to_hub` / `DatasetDict` with splits and `load_dataset` by repo id."""

from __future__ import annotations

import pytest

from hfkatas.hub.testing import HubHandle

pytestmark = pytest.mark.timeout(120)


def test_push_dataset_dict_and_load_splits(hub: HubHandle, repo_name: str) -> None:
    import datasets
    import huggingface_hub as hh

    repo_id = f"{hub.user}/{repo_name}"
    splits = datasets.DatasetDict(
        {
            "train": datasets.Dataset.from_dict(
                {"text": [f"train {i}" for i in range(10)], "label": [i % 2 for i in range(10)]}
            ),
            "validation": datasets.Dataset.from_dict({"text": ["val 0", "val 1"], "label": [0, 1]}),
        }
    )
    splits.push_to_hub(repo_id)

    files = hh.list_repo_files(repo_id, repo_type="dataset")
    assert any(f.startswith("data/train-") and f.endswith(".parquet") for f in files), files
    loaded = datasets.load_dataset(repo_id)
    assert set(loaded) == {"train", "validation"}
    assert loaded["train"]["text"] == [f"train {i}" for i in range(10)]
    assert loaded["validation"]["label"] == [0, 1]


def test_push_dataset_twice_keeps_history(hub: HubHandle, repo_name: str) -> None:
    import datasets
    import huggingface_hub as hh

    repo_id = f"{hub.user}/{repo_name}"
    datasets.Dataset.from_dict({"x": [1, 2, 3]}).push_to_hub(repo_id)
    first = hh.dataset_info(repo_id).sha
    datasets.Dataset.from_dict({"x": [4, 5]}).push_to_hub(repo_id)

    assert datasets.load_dataset(repo_id, split="train")["x"] == [4, 5]
    assert datasets.load_dataset(repo_id, split="train", revision=first)["x"] == [1, 2, 3]


def test_push_dataset_to_a_branch(hub: HubHandle, repo_name: str) -> None:
    import datasets
    import huggingface_hub as hh

    repo_id = f"{hub.user}/{repo_name}"
    datasets.Dataset.from_dict({"x": [1]}).push_to_hub(repo_id)
    datasets.Dataset.from_dict({"x": [2, 3]}).push_to_hub(repo_id, revision="dev")

    assert datasets.load_dataset(repo_id, split="train", revision="dev")["x"] == [2, 3]
    assert datasets.load_dataset(repo_id, split="train")["x"] == [1]
    refs = hh.list_repo_refs(repo_id, repo_type="dataset")
    assert sorted(b.name for b in refs.branches) == ["dev", "main"]
