"""Tasks 5.3–5.5: push a model and its tokenizer, upload a folder, write the model card."""

from __future__ import annotations

import re

import pytest

MODEL_FILES = {"config.json", "model.safetensors", "tokenizer_config.json"}
TOKEN_LITERAL = re.compile(r"""["']hf_[A-Za-z0-9_]{4,}["']""")


def _load_back(repo_id: str):  # type: ignore[no-untyped-def]
    from transformers import AutoModelForCausalLM, AutoTokenizer

    return AutoModelForCausalLM.from_pretrained(repo_id), AutoTokenizer.from_pretrained(repo_id)


@pytest.mark.task("5.3")
@pytest.mark.timeout(60)
def test_push_model_uploads_weights_config_and_tokenizer(
    kata, hub_api, repo_id, model, tokenizer, same_weights
):
    kata.push_model(model, tokenizer, repo_id)
    assert hub_api.repo_exists(repo_id), f"{repo_id} does not exist on the Hub after push_model"
    files = set(hub_api.list_repo_files(repo_id))
    missing = MODEL_FILES - files
    assert not missing, (
        f"the repo lacks {sorted(missing)} (it has {sorted(files)}): push both the model "
        "(weights in safetensors, and config) and the tokenizer"
    )
    assert hub_api.repo_info(repo_id).private, (
        "push_model created a public repo: pass private=True so a new repo starts private"
    )
    loaded, loaded_tokenizer = _load_back(repo_id)
    assert same_weights(loaded, model), (
        "the weights loaded back from the Hub differ from the model you pushed"
    )
    text = "hello from the hub"
    assert loaded_tokenizer(text)["input_ids"] == tokenizer(text)["input_ids"], (
        "the tokenizer loaded back from the Hub encodes text differently: push the tokenizer "
        "that belongs to this model"
    )


@pytest.mark.task("5.3")
@pytest.mark.timeout(60)
def test_push_model_twice_updates_the_repo(
    kata, repo_id, model, tokenizer, perturbed, same_weights
):
    kata.push_model(model, tokenizer, repo_id)
    retrained = perturbed(model, seed=1)
    kata.push_model(retrained, tokenizer, repo_id)
    assert same_weights(_load_back(repo_id)[0], retrained), (
        "after a second push_model to the same repo, main should hold the new weights"
    )


@pytest.fixture
def run_folder(tmp_path, model, tokenizer):  # type: ignore[no-untyped-def]
    """A training run's output folder: the final model, plus checkpoints and logs."""
    folder = tmp_path / "run"
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    keep = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    (folder / "checkpoint-50").mkdir()
    (folder / "checkpoint-50" / "optimizer.pt").write_bytes(b"\0" * 4096)
    (folder / "runs").mkdir()
    (folder / "runs" / "events.out.tfevents").write_bytes(b"\1" * 512)
    (folder / "train.log").write_text("step 50 loss 1.23\n")
    return folder, keep


@pytest.mark.task("5.4")
@pytest.mark.timeout(60)
def test_upload_model_folder_in_one_commit_without_checkpoints(kata, hub_api, repo_id, run_folder):
    folder, keep = run_folder
    hub_api.create_repo(repo_id, private=True)
    before = len(hub_api.list_repo_commits(repo_id))
    sha = kata.upload_model_folder(folder, repo_id, "Upload run 7")
    files = set(hub_api.list_repo_files(repo_id)) - {".gitattributes"}
    assert keep <= files, f"the repo lacks {sorted(keep - files)}: upload the whole folder"
    assert files <= keep, (
        f"the repo also got {sorted(files - keep)}: leave out checkpoints and logs "
        "(ignore_patterns=NOT_FOR_THE_HUB)"
    )
    commits = hub_api.list_repo_commits(repo_id)
    assert len(commits) == before + 1, (
        f"the upload made {len(commits) - before} commits: upload the folder in one commit "
        "(upload_folder), not file by file"
    )
    assert commits[0].title == "Upload run 7", (
        f"the commit is titled {commits[0].title!r}: pass commit_message on"
    )
    assert sha == commits[0].commit_id == hub_api.repo_info(repo_id).sha, (
        f"upload_model_folder returned {sha!r}: return the sha of the commit it made "
        "(the `oid` of what upload_folder returns)"
    )


CARDS = [
    dict(
        base_model="hf-katas/tiny-llama",
        license="apache-2.0",
        datasets=["imdb"],
        tags=["lora", "sentiment"],
    ),
    dict(
        base_model="HuggingFaceTB/SmolLM2-135M",
        license="mit",
        datasets=["learner/reviews", "stanfordnlp/sst2"],
        tags=["kata"],
    ),
]


@pytest.mark.task("5.5")
@pytest.mark.timeout(60)
@pytest.mark.parametrize("meta", CARDS, ids=["apache", "mit"])
def test_model_card_metadata_is_on_the_hub(kata, hub_api, pushed_model, meta):
    from huggingface_hub import ModelCard

    before = set(hub_api.list_repo_files(pushed_model))
    kata.push_model_card(pushed_model, **meta)
    card = ModelCard.load(pushed_model)
    for field in ("base_model", "license"):
        assert getattr(card.data, field) == meta[field], (
            f"the card's {field} is {getattr(card.data, field)!r}, expected {meta[field]!r}: "
            "fill ModelCardData from the arguments"
        )
    for field in ("datasets", "tags"):
        found = set(getattr(card.data, field) or [])
        assert set(meta[field]) <= found, (
            f"the card's {field} are {sorted(found)}, missing {sorted(set(meta[field]) - found)}"
        )
    assert before <= set(hub_api.list_repo_files(pushed_model)), (
        "pushing the card removed files from the repo: push only README.md"
    )


@pytest.mark.task("5.5")
@pytest.mark.timeout(60)
def test_model_card_usage_snippet_runs(kata, hub, pushed_model):
    from huggingface_hub import ModelCard

    kata.push_model_card(pushed_model, **CARDS[0])
    card = ModelCard.load(pushed_model).content
    leaked = [found for found in (hub.write_token, *TOKEN_LITERAL.findall(card)) if found in card]
    assert not leaked, (
        f"the model card on the Hub contains a token ({leaked[0][:6]}...): everyone who can read "
        "the repo can use it. Never write a token into a card or a snippet: the reader's own "
        "token (HF_TOKEN or `hf auth login`) is found by the libraries"
    )
    text = ModelCard.load(pushed_model).text
    snippets = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert snippets, (
        "the card has no usage snippet: add a ```python block that loads the model by its repo id"
    )
    assert pushed_model in snippets[0], (
        f"the usage snippet does not mention {pushed_model!r}: load the model by its repo id"
    )
    try:
        exec(compile(snippets[0], "usage snippet", "exec"), {})
    except Exception as error:  # any failure of the learner's snippet is reported
        raise AssertionError(
            f"the card's usage snippet fails when run: {type(error).__name__}: {error}"
        ) from error
