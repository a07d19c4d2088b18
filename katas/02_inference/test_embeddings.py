"""Kata 02 · embeddings: pooling, normalisation, similarity, search and long texts."""

from __future__ import annotations

import copy

import pytest
import torch

from hfkatas.testing.expect import value_error_naming
from hfkatas.testing.generation import ForwardLog, watch_forward
from hfkatas.testing.stand_in import check_inputs_on_the_model

SHORT = "He strums his guitar."
LONG = "She played the guitar by the window while the rain fell softly on the old garden."
CORPUS = [
    "The stock market fell sharply on Monday, and shares plunged across Asia.",
    "She played the guitar by the window while the rain fell on the garden.",
    "Bake the bread for forty minutes until the crust is golden.",
    "The train to Berlin leaves from platform nine at noon.",
    "Vaccines train the immune system to recognise a virus.",
]
PARAPHRASES = [
    ("Share prices dropped steeply as investors sold.", 0),
    ("A woman strummed a guitar near the window on a rainy day.", 1),
    ("Leave the loaf in the oven until its crust turns brown.", 2),
]


def _random_batch(seed: int) -> tuple[torch.Tensor, torch.Tensor, list[int]]:
    """Hidden states (3, 7, 5) and a mask with a different real length per row."""
    generator = torch.Generator().manual_seed(seed)
    hidden = torch.randn(3, 7, 5, generator=generator)
    lengths = torch.randint(1, 8, (3,), generator=generator).tolist()
    return hidden, torch.zeros(3, 7, dtype=torch.long), lengths


def _masks(lengths: list[int], side: str) -> torch.Tensor:
    mask = torch.zeros(len(lengths), 7, dtype=torch.long)
    for row, length in enumerate(lengths):
        if side == "right":
            mask[row, :length] = 1
        else:
            mask[row, 7 - length :] = 1
    return mask


def _manual_embedding(model, tokenizer, text: str) -> torch.Tensor:
    """Mean over the tokens of ONE unpadded text, L2-normalised."""
    inputs = tokenizer(text, return_tensors="pt", truncation=True)
    with torch.no_grad():
        hidden = model(**inputs).last_hidden_state[0]
    return torch.nn.functional.normalize(hidden.mean(dim=0), dim=-1)


# ---------------------------------------------------------------- 2.11


@pytest.mark.task("2.11")
@pytest.mark.timeout(30)
@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("seed", [0, 1])
def test_mean_pool_averages_real_tokens_only(kata, seed, side):
    hidden, _, lengths = _random_batch(seed)
    mask = _masks(lengths, side)
    pooled = kata.mean_pool(hidden, mask)
    assert isinstance(pooled, torch.Tensor) and pooled.shape == (3, 5), (
        f"expected one vector per row, shape (3, 5); got {getattr(pooled, 'shape', pooled)}"
    )
    for row in range(3):
        expected = hidden[row][mask[row].bool()].mean(dim=0)
        assert torch.allclose(pooled[row], expected, atol=1e-6), (
            f"row {row} ({lengths[row]} real tokens of 7, {side} padding) is not the mean of its "
            "real tokens: multiply by the attention mask and divide by the number of real "
            "tokens, not by the sequence length"
        )
    scrambled = hidden.masked_fill(~mask.bool().unsqueeze(-1), 1e3)
    assert torch.allclose(kata.mean_pool(scrambled, mask), pooled, atol=1e-5), (
        "changing the vectors at padded positions changed the result: leave padding out"
    )


# ---------------------------------------------------------------- 2.12


@pytest.mark.task("2.12")
@pytest.mark.timeout(60)
def test_sentence_embeddings_are_mean_pooled_and_normalised(kata, minilm):
    model, tokenizer, _ = minilm
    embeddings = kata.embed_sentences(model, tokenizer, [SHORT, LONG])
    assert isinstance(embeddings, torch.Tensor) and embeddings.shape == (
        2,
        model.config.hidden_size,
    ), f"expected shape (2, {model.config.hidden_size}), got {getattr(embeddings, 'shape', None)}"
    norms = embeddings.norm(dim=-1)
    assert torch.allclose(norms, torch.ones(2), atol=1e-4), (
        f"the embeddings have lengths {norms.tolist()}, not 1: L2-normalise each row "
        "(torch.nn.functional.normalize)"
    )
    for row, text in enumerate([SHORT, LONG]):
        expected = _manual_embedding(model, tokenizer, text)
        assert torch.allclose(embeddings[row], expected, atol=1e-4), (
            f"sentence {row} differs from the mean of its token vectors: mean-pool "
            "last_hidden_state over real tokens (not the [CLS] vector, not the padding)"
        )


@pytest.mark.task("2.12")
@pytest.mark.timeout(60)
def test_padding_does_not_change_an_embedding(kata, minilm):
    model, tokenizer, _ = minilm
    alone = kata.embed_sentences(model, tokenizer, [SHORT])[0]
    in_batch = kata.embed_sentences(model, tokenizer, [LONG, SHORT])[1]
    assert torch.allclose(alone, in_batch, atol=1e-5), (
        "the short sentence gets a different embedding next to a long one: its padding is "
        "counted in the mean. Use the attention mask when pooling"
    )
    value_error_naming(
        lambda: kata.embed_sentences(model, tokenizer, []), "empty", "an empty list of sentences"
    )


@pytest.mark.task("2.12")
@pytest.mark.timeout(60)
def test_embeddings_of_a_model_in_training_mode(kata, minilm):
    model, tokenizer, _ = minilm
    model.train()  # as it is after a fine-tuning step: dropout on
    try:
        first, second = (kata.embed_sentences(model, tokenizer, [SHORT, LONG]) for _ in range(2))
    finally:
        model.eval()
    assert torch.allclose(first, second, atol=1e-6), (
        "the same sentences got two different embeddings: the model is still in training mode, "
        "so dropout is active. Call model.eval() before running it"
    )


@pytest.mark.task("2.12")
@pytest.mark.timeout(60)
def test_embed_sentences_moves_inputs_to_the_models_device(kata, stand_in_minilm):
    model, tokenizer, _ = stand_in_minilm
    check_inputs_on_the_model(
        lambda: kata.embed_sentences(model, tokenizer, [SHORT, LONG]), "embed_sentences"
    )


@pytest.mark.task("2.12")
@pytest.mark.timeout(60)
def test_a_sentence_longer_than_the_window_is_cut(kata, minilm):
    model, tokenizer, _ = minilm
    window = model.config.max_position_embeddings
    text = (LONG + " ") * (window // 10)
    assert len(tokenizer(text).input_ids) > window, "test set-up: the text must be too long"
    try:
        embedding = kata.embed_sentences(model, tokenizer, [text, SHORT])[0]
    except NotImplementedError:
        raise
    except (IndexError, RuntimeError) as error:
        raise AssertionError(
            f"a sentence longer than the model's {window}-token window crashed the model "
            f"({type(error).__name__}): pass truncation=True to the tokenizer"
        ) from None
    assert torch.allclose(embedding, _manual_embedding(model, tokenizer, text), atol=1e-4), (
        f"the embedding of a sentence longer than the {window}-token window should be that of "
        "its first tokens: pass truncation=True to the tokenizer"
    )


# ---------------------------------------------------------------- 2.13


@pytest.mark.task("2.13")
@pytest.mark.timeout(30)
def test_cosine_similarity_matrix(kata):
    generator = torch.Generator().manual_seed(3)
    a, b = torch.randn(4, 6, generator=generator), torch.randn(3, 6, generator=generator)
    scores = kata.cosine_similarity(a, b)
    assert isinstance(scores, torch.Tensor) and scores.shape == (4, 3), (
        f"expected a (4, 3) matrix of every row of a against every row of b, got "
        f"{getattr(scores, 'shape', None)}"
    )
    expected = torch.nn.functional.cosine_similarity(a[:, None, :], b[None, :, :], dim=-1)
    assert torch.allclose(scores, expected, atol=1e-5), (
        "the scores are not cosines: divide the dot products by both vectors' lengths "
        "(or normalise the rows first)"
    )
    assert torch.allclose(kata.cosine_similarity(a * 7.0, b), scores, atol=1e-5), (
        "scaling a vector changed its cosine similarity: normalise the inputs"
    )
    with pytest.raises(ValueError):
        kata.cosine_similarity(a, torch.randn(3, 5))


# ---------------------------------------------------------------- 2.14


@pytest.mark.task("2.14")
@pytest.mark.timeout(60)
@pytest.mark.parametrize(("query", "match"), PARAPHRASES)
def test_paraphrase_ranks_first(kata, minilm, query, match, show):
    model, tokenizer, _ = minilm
    results = kata.semantic_search(model, tokenizer, query, CORPUS, k=3)
    assert isinstance(results, list) and len(results) == 3, "return k (index, score) pairs"
    indices = [int(index) for index, _ in results]
    scores = [float(score) for _, score in results]
    assert scores == sorted(scores, reverse=True), "put the best match first (highest score)"
    assert indices[0] == match, (
        f"the paraphrase {CORPUS[match]!r} should rank first for {query!r}, got "
        f"{CORPUS[indices[0]]!r}: compare normalised mean-pooled embeddings by cosine"
    )
    expected = float(
        _manual_embedding(model, tokenizer, query)
        @ _manual_embedding(model, tokenizer, CORPUS[match])
    )
    assert scores[0] == pytest.approx(expected, abs=1e-3), (
        f"the best score is {scores[0]:.3f} but the cosine similarity is {expected:.3f}: return "
        "the cosine score of each hit"
    )
    show(f"top hits for {query!r}", [(float(s), CORPUS[int(i)]) for i, s in results])


@pytest.mark.task("2.14")
@pytest.mark.timeout(60)
def test_search_k_edges(kata, minilm):
    model, tokenizer, _ = minilm
    results = kata.semantic_search(model, tokenizer, "guitar", CORPUS[:2], k=5)
    assert len(results) == 2, "k larger than the corpus should return every sentence once"
    for bad_k in (0, -1):
        value_error_naming(
            lambda bad_k=bad_k: kata.semantic_search(model, tokenizer, "guitar", CORPUS, k=bad_k),
            "k",
            f"k={bad_k}",
        )


# ---------------------------------------------------------------- 2.15


@pytest.mark.task("2.15")
@pytest.mark.timeout(30)
@pytest.mark.parametrize("side", ["right", "left"])
def test_last_token_pool_picks_the_last_real_token(kata, side):
    hidden, _, lengths = _random_batch(4)
    mask = _masks(lengths, side)
    pooled = kata.last_token_pool(hidden, mask)
    assert isinstance(pooled, torch.Tensor) and pooled.shape == (3, 5), (
        "expected one vector per row, shape (batch, hidden)"
    )
    for row, length in enumerate(lengths):
        position = length - 1 if side == "right" else 6
        assert torch.equal(pooled[row], hidden[row, position]), (
            f"row {row} ({side} padding, {length} real tokens): expected the vector at position "
            f"{position}, the last real token. With right padding it is not at index -1: use "
            "the attention mask"
        )


@pytest.mark.task("2.15")
@pytest.mark.timeout(60)
def test_last_token_pool_ignores_padding_in_a_decoder(kata, right_padded_llama):
    model, tokenizer, _ = right_padded_llama
    texts = ["The quick brown fox jumps over the lazy dog.", "Rain"]
    with torch.no_grad():
        batch = tokenizer(texts, return_tensors="pt", padding=True)
        hidden = model(**batch, output_hidden_states=True).hidden_states[-1]
        single = tokenizer(texts[1], return_tensors="pt")
        alone = model(**single, output_hidden_states=True).hidden_states[-1][0, -1]
    pooled = kata.last_token_pool(hidden, batch.attention_mask)
    assert torch.allclose(pooled[1], alone, atol=1e-5), (
        "the short text's vector in a right-padded batch is not its last real token's: find "
        "each row's last position where the attention mask is 1"
    )


# ---------------------------------------------------------------- 2.16


COOKING = "The chef chopped onions and garlic, then simmered the tomato soup for an hour. "
ASTRONOMY = "Astronomers pointed the telescope at a distant galaxy full of young stars. "


@pytest.mark.task("2.16")
@pytest.mark.timeout(60)
def test_text_that_fits_gets_its_plain_embedding(kata, minilm):
    model, tokenizer, _ = minilm
    embedding = kata.embed_long_text(model, tokenizer, LONG)
    assert isinstance(embedding, torch.Tensor) and embedding.shape == (model.config.hidden_size,), (
        f"expected one vector of shape ({model.config.hidden_size},)"
    )
    assert torch.allclose(embedding, _manual_embedding(model, tokenizer, LONG), atol=1e-4), (
        "a text that fits in one chunk should get the same embedding as embed_sentences"
    )


@pytest.mark.task("2.16")
@pytest.mark.timeout(60)
def test_every_part_of_a_long_text_counts(kata, minilm):
    model, tokenizer, _ = minilm
    window = model.config.max_position_embeddings
    text = COOKING * 40 + ASTRONOMY * 30
    assert len(tokenizer(text).input_ids) > 1.5 * window, "test set-up: the text must be long"
    # Like many real tokenizers, this copy does not know the model's window.
    unaware = copy.deepcopy(tokenizer)
    unaware.model_max_length = 1_000_000
    too_long = (
        f"the model saw more tokens at once than its {window}-token window: split the tokens "
        "into chunks of at most model.config.max_position_embeddings (the tokenizer's "
        "model_max_length does not know the model's window)"
    )
    with watch_forward(model) as log:
        try:
            embedding = kata.embed_long_text(model, tokenizer=unaware, text=text)
        except NotImplementedError:
            raise
        except (IndexError, RuntimeError):
            raise AssertionError(too_long) from None
    assert log.calls and log.longest <= window, too_long
    astronomy = _manual_embedding(model, tokenizer, ASTRONOMY * 3)
    beginning = _manual_embedding(model, tokenizer, text)  # truncated to the window
    assert float(embedding @ astronomy) > float(beginning @ astronomy) + 0.05, (
        "the embedding ignores the end of the text (only the first chunk counts): embed every "
        "chunk and combine them (e.g. a mean weighted by tokens), then normalise"
    )
    assert float(embedding.norm()) == pytest.approx(1.0, abs=1e-4), "normalise the combination"


@pytest.mark.task("2.16")
@pytest.mark.timeout(60)
def test_chunk_size_is_respected(kata, minilm):
    model, tokenizer, _ = minilm
    with watch_forward(model) as log:
        kata.embed_long_text(model, tokenizer, COOKING * 6, chunk_tokens=24)
    assert log.calls and log.longest <= 24, (
        f"a forward pass saw {log.longest} tokens with chunk_tokens=24: count the special "
        "tokens ([CLS], [SEP]) in each chunk"
    )
    for bad in (model.config.max_position_embeddings + 1, 1):
        value_error_naming(
            lambda bad=bad: kata.embed_long_text(model, tokenizer, LONG, chunk_tokens=bad),
            "chunk_tokens",
            f"chunk_tokens={bad}",
        )


def _chunk_embeddings(model, seen: ForwardLog) -> torch.Tensor:
    """Every row the model saw, embedded alone over its real tokens: (rows, hidden)."""
    rows = []
    with torch.no_grad():
        for call in seen.calls:
            input_ids = call.input_ids.cpu()
            mask = (
                torch.ones_like(input_ids)
                if call.attention_mask is None
                else call.attention_mask.cpu()
            )
            for ids, real in zip(input_ids, mask.bool(), strict=True):
                hidden = model(input_ids=ids[real][None]).last_hidden_state[0]
                rows.append(torch.nn.functional.normalize(hidden.mean(dim=0), dim=-1))
    return torch.stack(rows)


@pytest.mark.task("2.16")
@pytest.mark.timeout(60)
def test_chunks_are_pooled_over_their_real_tokens(kata, minilm):
    model, tokenizer, _ = minilm
    text = COOKING * 6  # its last chunk of 24 tokens is short: padded in a batch
    with watch_forward(model) as seen:
        embedding = kata.embed_long_text(model, tokenizer, text, chunk_tokens=24)
    assert seen.calls, "embed_long_text never ran the model"
    chunks = _chunk_embeddings(model, seen).double()
    target = embedding.detach().cpu().double()
    weights = torch.linalg.lstsq(chunks.T, target[:, None]).solution
    residual = float((chunks.T @ weights).squeeze(1).sub(target).abs().max())
    assert residual < 1e-3 and bool((weights >= -1e-4).all()), (
        f"the embedding is not a combination of the chunks' mean-pooled embeddings (off by up "
        f"to {residual:.3f}): mean-pool every chunk over its REAL tokens (the last chunk is "
        "padded), then combine them (a mean, weighted or not)"
    )
