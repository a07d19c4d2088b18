import pytest


@pytest.mark.task("99.1")
@pytest.mark.timeout(10)
def test_add(kata):
    assert kata.add(2, 3) == 5, "2 + 3 should be 5"
    assert kata.add(-1, 1) == 0, "-1 + 1 should be 0"


@pytest.mark.task("99.2")
@pytest.mark.timeout(30)
def test_pad_token(kata, zoo):
    tokenizer = kata.load_padded_tokenizer(zoo.repo_id("tiny-causal"))
    assert tokenizer.pad_token is not None, "the tokenizer has no pad token: set it"


@pytest.mark.task("99.3")
@pytest.mark.timeout(30)
def test_causal_lm(kata, zoo):
    model = kata.load_causal_lm(zoo.repo_id("tiny-causal"))
    assert hasattr(model, "generate"), "this model cannot generate"
