"""Tasks 4.1–4.2: clean, split and tokenize the movie reviews."""

from __future__ import annotations

import pytest

from hfkatas.data.movie_reviews import RawRecord

BAD_ROWS = [
    RawRecord("b1", "1.5", ""),
    RawRecord("b2", "1.5", "   "),
    RawRecord("b3", "n/a", "a rating that is not a number"),
    RawRecord("b4", "", "a missing rating"),
    RawRecord("b5", "nan", "a rating that is not a number either"),
]


@pytest.mark.task("4.1")
@pytest.mark.timeout(30)
def test_rating_buckets_follow_the_thresholds(kata):
    for index, edge in enumerate(kata.THRESHOLDS):
        assert kata.rating_to_label(edge - 0.01) == index, (
            f"a rating just below {edge} should get label {index} ({kata.LABELS[index]!r}): "
            "compare the rating with THRESHOLDS in order"
        )
        assert kata.rating_to_label(edge) == index + 1, (
            f"a rating of exactly {edge} belongs to the next bucket, {kata.LABELS[index + 1]!r}"
        )
    assert (kata.rating_to_label(-4.0), kata.rating_to_label(4.0)) == (0, len(kata.LABELS) - 1)


@pytest.mark.task("4.1")
@pytest.mark.timeout(60)
def test_bad_rows_are_dropped_and_counted(kata, records, label_of):
    mixed = records[:150] + BAD_ROWS + records[150:300]
    splits, dropped = kata.build_splits(mixed, n_train=200, n_validation=90, seed=3)
    assert dropped == len(BAD_ROWS), (
        f"{len(BAD_ROWS)} rows have empty text or an unparsable rating, but {dropped} were "
        "counted as dropped: skip them (float() raises ValueError; 'nan' is not a rating) and count"
    )
    assert set(splits) == {"train", "validation"}, "return a DatasetDict with train and validation"
    assert (len(splits["train"]), len(splits["validation"])) == (200, 90), (
        "the splits must have exactly n_train and n_validation examples"
    )
    for example in splits["train"]:
        assert example["text"].strip() and example["text"] == example["text"].strip(), (
            "texts must be non-empty and stripped"
        )
        assert example["label"] == label_of(example["rating"]), (
            f"rating {example['rating']} got label {example['label']}: use rating_to_label"
        )


@pytest.mark.task("4.1")
@pytest.mark.timeout(60)
def test_split_is_seeded_and_disjoint(kata, records):
    first, _ = kata.build_splits(records[:400], n_train=150, n_validation=100, seed=1)
    again, _ = kata.build_splits(records[:400], n_train=150, n_validation=100, seed=1)
    other, _ = kata.build_splits(records[:400], n_train=150, n_validation=100, seed=2)
    assert first["train"]["text"] == again["train"]["text"], (
        "the same seed must give the same split: shuffle with the seed (Dataset.shuffle(seed=...))"
    )
    assert first["train"]["text"] != other["train"]["text"], (
        "a different seed should shuffle differently"
    )
    assert first["train"]["text"] != [r.text for r in records[:150]], (
        "the split is the file's first rows in order: shuffle before splitting"
    )
    overlap = set(first["train"]["text"]) & set(first["validation"]["text"])
    assert not overlap, "a review is in both train and validation: the splits must not overlap"


@pytest.mark.task("4.1")
@pytest.mark.timeout(30)
def test_too_few_rows_is_a_clear_error(kata, records, expect_error):
    expect_error(
        ValueError,
        lambda: kata.build_splits(records[:50], n_train=40, n_validation=20, seed=0),
        "50 rows cannot give 40 + 20 examples: check the clean rows are at least n_train + "
        "n_validation and raise a ValueError saying so",
    )


@pytest.mark.task("4.2")
@pytest.mark.timeout(30)
def test_tokenizer_gets_a_pad_token(kata, zoo):
    tokenizer = kata.load_tokenizer(zoo.repo_id("tiny-causal"))
    assert tokenizer.pad_token is not None, (
        "the tiny Llama tokenizer has no pad token: set pad_token to the EOS token"
    )
    assert tokenizer.padding_side == "right", "pad on the right for training"


def _answer(tokenizer, encoded):
    return [t for t, y in zip(encoded["input_ids"], encoded["labels"], strict=True) if y != -100]


@pytest.mark.task("4.2")
@pytest.mark.timeout(30)
@pytest.mark.parametrize("label", [0, 3])
def test_only_the_answer_is_learned(kata, eos_padded_tokenizer, label):
    text = "A warm, funny and beautifully acted film."
    encoded = kata.tokenize(eos_padded_tokenizer, text, label, max_length=64)
    ids, labels = encoded["input_ids"], encoded["labels"]
    assert len(ids) == len(labels) == len(encoded["attention_mask"]), (
        "input_ids, attention_mask and labels must have the same length"
    )
    assert all(y in (-100, t) for t, y in zip(ids, labels, strict=True)), (
        "labels must be -100 or equal to input_ids at the same position (the model shifts them)"
    )
    first = next(i for i, y in enumerate(labels) if y != -100)
    assert all(y != -100 for y in labels[first:]), "the answer must be one block at the end"
    assert first > 0 and text.split()[1] in eos_padded_tokenizer.decode(ids[:first]), (
        "the prompt (with the review) must come first and be masked to -100"
    )
    answer = eos_padded_tokenizer.decode(
        _answer(eos_padded_tokenizer, encoded), skip_special_tokens=True
    )
    assert answer.strip() == kata.LABELS[label], (
        f"the learned tokens decode to {answer!r}, expected the label word "
        f"{kata.LABELS[label]!r}: labels are -100 on the prompt, token ids on the answer"
    )
    assert _answer(eos_padded_tokenizer, encoded)[-1] == eos_padded_tokenizer.eos_token_id, (
        "end the answer with the EOS token so the model learns to stop"
    )
    word = eos_padded_tokenizer(" " + kata.LABELS[label], add_special_tokens=False).input_ids
    assert _answer(eos_padded_tokenizer, encoded)[:-1] == word, (
        f"the answer's tokens are not those of {' ' + kata.LABELS[label]!r}: keep the leading "
        "space, it is how the word follows 'Sentiment:' (and the token predict scores)"
    )


@pytest.mark.task("4.2")
@pytest.mark.timeout(30)
@pytest.mark.parametrize("max_length", [32, 48])
def test_long_reviews_are_truncated_not_the_answer(kata, eos_padded_tokenizer, max_length):
    text = "a long and winding review that never ends " * 40
    encoded = kata.tokenize(eos_padded_tokenizer, text, 4, max_length=max_length)
    assert len(encoded["input_ids"]) <= max_length, (
        f"{len(encoded['input_ids'])} tokens for max_length={max_length}: truncate the review"
    )
    answer = eos_padded_tokenizer.decode(
        _answer(eos_padded_tokenizer, encoded), skip_special_tokens=True
    )
    assert answer.strip() == kata.LABELS[4], (
        "the answer was cut off: truncate the review text, never the answer at the end"
    )
