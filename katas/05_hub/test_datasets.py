"""Task 5.6 and the dataset half of 5.7: a dataset with train and validation splits."""

from __future__ import annotations

import pytest


@pytest.mark.task("5.6")
@pytest.mark.timeout(60)
@pytest.mark.parametrize("fraction", [0.2, 0.25])
def test_push_dataset_splits_puts_train_and_validation_on_the_hub(
    kata, hub_api, repo_id, reviews, fraction
):
    from datasets import load_dataset

    kata.push_dataset_splits(reviews, repo_id, validation_fraction=fraction, seed=3)
    assert hub_api.repo_exists(repo_id, repo_type="dataset"), (
        f"the Hub has no dataset repo {repo_id}: push the DatasetDict to it"
    )
    assert hub_api.repo_info(repo_id, repo_type="dataset").private, (
        "the dataset repo is public: push it with private=True"
    )
    files = hub_api.list_repo_files(repo_id, repo_type="dataset")
    for split in ("train", "validation"):
        assert any(f.startswith(f"data/{split}-") for f in files), (
            f"the repo has no {split} split (files: {files}): push a DatasetDict with the "
            "splits 'train' and 'validation' (train_test_split calls the second one 'test')"
        )
    loaded = load_dataset(repo_id)
    assert set(loaded) == {"train", "validation"}, (
        f"the dataset on the Hub has splits {sorted(loaded)}: name them 'train' and 'validation'"
    )
    train, validation = list(loaded["train"]["text"]), list(loaded["validation"]["text"])
    assert abs(len(validation) - fraction * len(reviews)) <= 1, (
        f"validation has {len(validation)} of {len(reviews)} rows: it should be about "
        f"{fraction:.0%} of them (validation_fraction)"
    )
    assert not set(train) & set(validation), (
        "some rows are in both train and validation: split the dataset, don't copy rows"
    )
    assert sorted(train + validation) == sorted(reviews["text"]), (
        "train and validation together should hold every row of the dataset, once"
    )


@pytest.mark.task("5.6")
@pytest.mark.timeout(60)
def test_push_dataset_splits_is_seeded(kata, repo_id, reviews):
    def validation_texts(suffix: str, seed: int) -> list[str]:
        splits = kata.push_dataset_splits(reviews, f"{repo_id}-{suffix}", seed=seed)
        assert splits is not None and "validation" in splits, (
            "push_dataset_splits should return the DatasetDict it pushed, with the splits "
            "'train' and 'validation'"
        )
        return list(splits["validation"]["text"])

    first, again = validation_texts("a", seed=3), validation_texts("b", seed=3)
    assert first == again, (
        "the same seed gave two different splits: pass seed on to train_test_split (or "
        "shuffle(seed=seed))"
    )
    assert validation_texts("c", seed=4) != first, (
        "seed=3 and seed=4 gave the same split: shuffle with the seed you were given, not a "
        "fixed one"
    )


@pytest.mark.task("5.6")
@pytest.mark.timeout(30)
@pytest.mark.parametrize("fraction", [0.0, 1.0, 1.5])
def test_push_dataset_splits_rejects_a_bad_fraction_before_pushing(
    kata, hub_api, repo_id, reviews, expect_error, fraction
):
    check_first = "check 0 < validation_fraction < 1 yourself, before splitting or pushing"
    error = expect_error(
        ValueError,
        lambda: kata.push_dataset_splits(reviews, repo_id, validation_fraction=fraction),
        check_first,
    )
    assert "validation_fraction" in str(error), (
        f"the ValueError says {str(error)!r}: name validation_fraction and the range it must be "
        f"in ({check_first})"
    )
    assert not hub_api.repo_exists(repo_id, repo_type="dataset"), (
        "a bad validation_fraction still created the repo: check it before pushing anything"
    )


@pytest.fixture
def pushed_dataset(hub, repo_id, reviews):  # type: ignore[no-untyped-def]
    """`repo_id` holding two versions of a dataset: returns (repo id, first commit sha)."""
    import huggingface_hub as hh
    from datasets import DatasetDict

    first = DatasetDict({"train": reviews.select(range(10)), "validation": reviews.select([50])})
    first.push_to_hub(repo_id, private=True)
    sha = hh.dataset_info(repo_id).sha
    DatasetDict(
        {"train": reviews.select(range(40)), "validation": reviews.select(range(40, 60))}
    ).push_to_hub(repo_id)
    return repo_id, sha


@pytest.mark.task("5.7")
@pytest.mark.timeout(60)
def test_load_splits_by_repo_id_and_revision(kata, pushed_dataset, reviews):
    repo_id, first_sha = pushed_dataset
    latest = kata.load_splits(repo_id)
    assert {name: len(split) for name, split in latest.items()} == {
        "train": 40,
        "validation": 20,
    }, "load_splits should return every split of the latest version on main"
    assert list(latest["validation"]["text"]) == list(reviews["text"])[40:], (
        "the validation rows differ from the ones on the Hub"
    )
    old = kata.load_splits(repo_id, revision=first_sha)
    assert {name: len(split) for name, split in old.items()} == {"train": 10, "validation": 1}, (
        "with revision=<a commit sha>, load_splits should return the dataset as it was at that "
        "commit: pass revision on to load_dataset"
    )
