import pytest
from transformers import AutoTokenizer


@pytest.mark.task("2.1")
@pytest.mark.timeout(60)
def test_count_tokens(kata, zoo):
    repo_id = zoo.repo_id("tiny-causal")
    text = "hello tokens"
    expected = len(AutoTokenizer.from_pretrained(repo_id)(text)["input_ids"])
    assert kata.count_tokens(repo_id, text) == expected, "count the tokenizer's input_ids"
