import pytest
from transformers import AutoTokenizer


@pytest.mark.task("2.1")
@pytest.mark.timeout(60)
def test_count_tokens(kata, zoo):
    repo_id = zoo.repo_id("tiny-causal")
    text = "hello tokens"
    expected = len(AutoTokenizer.from_pretrained(repo_id)(text)["input_ids"])
    assert kata.count_tokens(repo_id, text) == expected, "count the tokenizer's input_ids"


@pytest.mark.task("2.2")
@pytest.mark.timeout(10)
def test_count_words(kata):
    assert kata.count_words("two  words") == 2, "count the words, whatever the spaces"


@pytest.mark.task("2.2")
@pytest.mark.cuda
@pytest.mark.timeout(10)
def test_count_words_on_a_gpu_machine(kata):
    assert kata.count_words("a b c") == 3, "the GPU part of task 2.2 (only runs with CUDA)"
