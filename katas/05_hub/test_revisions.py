"""The model half of task 5.7, and task 5.8: load by repo id, pin a revision, make a branch."""

from __future__ import annotations

import pytest

NEW_WORD = "pinned"  # the second version's tokenizer has it as one token, the first does not


@pytest.fixture
def two_versions(hub_api, pushed_model, model, tokenizer, perturbed):  # type: ignore[no-untyped-def]
    """`pushed_model` with a second version on main, new weights and a new tokenizer:
    (repo id, first sha, second model, second tokenizer)."""
    import copy

    first_sha = hub_api.repo_info(pushed_model).sha
    second, second_tokenizer = perturbed(model, seed=2), copy.deepcopy(tokenizer)
    second_tokenizer.add_tokens([NEW_WORD])
    second.push_to_hub(pushed_model, commit_message="second run")
    second_tokenizer.push_to_hub(pushed_model, commit_message="second tokenizer")
    return pushed_model, first_sha, second, second_tokenizer


@pytest.mark.task("5.7")
@pytest.mark.timeout(60)
def test_load_model_by_repo_id(kata, pushed_model, model, tokenizer, same_weights):
    loaded, loaded_tokenizer = kata.load_model(pushed_model)
    assert same_weights(loaded, model), (
        "the model load_model returned does not hold the weights on the Hub: load it with "
        "AutoModelForCausalLM.from_pretrained(repo_id)"
    )
    assert not loaded.training, "return the model in eval mode (model.eval())"
    text = "a tokenizer from the hub"
    assert loaded_tokenizer(text)["input_ids"] == tokenizer(text)["input_ids"], (
        "the tokenizer load_model returned is not the one in the repo"
    )


@pytest.mark.task("5.7")
@pytest.mark.timeout(60)
def test_load_model_at_a_pinned_revision(kata, two_versions, model, tokenizer, same_weights):
    repo_id, first_sha, second, second_tokenizer = two_versions
    text = f"a {NEW_WORD} revision"
    assert tokenizer(text)["input_ids"] != second_tokenizer(text)["input_ids"], (
        "test set-up: the two tokenizers should encode differently"
    )
    latest, latest_tokenizer = kata.load_model(repo_id)
    assert same_weights(latest, second), (
        "without a revision, load_model should load the latest commit on main"
    )
    assert latest_tokenizer(text)["input_ids"] == second_tokenizer(text)["input_ids"], (
        "without a revision, load_model should load the tokenizer of the latest commit on main"
    )
    pinned, pinned_tokenizer = kata.load_model(repo_id, revision=first_sha)
    assert same_weights(pinned, model), (
        "with revision=<commit sha>, load_model should load the weights of that commit: pass "
        "revision to from_pretrained (for the model and the tokenizer)"
    )
    assert pinned_tokenizer(text)["input_ids"] == tokenizer(text)["input_ids"], (
        "with revision=<commit sha>, the tokenizer load_model returned is main's newer one, not "
        "the one of that commit: pass revision to the tokenizer too (AutoTokenizer.from_pretrained"
        "(repo_id, revision=revision)), the model and its tokenizer belong to the same commit"
    )


@pytest.mark.task("5.8")
@pytest.mark.timeout(60)
def test_branch_at_head_pins_the_current_weights(
    kata, hub_api, pushed_model, model, perturbed, same_weights
):
    from transformers import AutoModelForCausalLM

    head = hub_api.repo_info(pushed_model).sha
    sha = kata.create_branch_at_head(pushed_model, "v1")
    branches = {b.name: b.target_commit for b in hub_api.list_repo_refs(pushed_model).branches}
    assert "v1" in branches, f"the repo has branches {sorted(branches)}: create the branch 'v1'"
    assert branches["v1"] == head, (
        "the new branch does not point at main's current commit: create it from main's head"
    )
    assert sha == head, (
        f"create_branch_at_head returned {sha!r}, not the commit sha the branch points at "
        f"({head}): read main's sha (repo_info) and return it"
    )
    perturbed(model, seed=3).push_to_hub(pushed_model, commit_message="newer run")
    for revision in ("v1", sha):
        pinned = AutoModelForCausalLM.from_pretrained(pushed_model, revision=revision)
        assert same_weights(pinned, model), (
            f"after a newer push to main, revision={revision!r} should still load the old weights"
        )


@pytest.mark.task("5.8")
@pytest.mark.timeout(60)
def test_an_existing_branch_is_not_moved(kata, hub_api, two_versions, expect_error):
    repo_id, first_sha, *_ = two_versions
    hub_api.create_branch(repo_id, branch="stable", revision=first_sha)
    error = expect_error(
        ValueError,
        lambda: kata.create_branch_at_head(repo_id, "stable"),
        "the Hub answers 409 Conflict for a branch that exists: raise a ValueError naming it "
        "(raise ... from error), or check list_repo_refs first",
    )
    assert "stable" in str(error), (
        f"the ValueError says {str(error)!r}: name the branch that exists ('stable')"
    )
    branches = {b.name: b.target_commit for b in hub_api.list_repo_refs(repo_id).branches}
    assert branches["stable"] == first_sha, (
        "the existing branch 'stable' was moved: refuse with a ValueError and leave it alone"
    )
