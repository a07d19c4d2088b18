"""Kata 02 · generation: properties of the text, never sampled strings."""

from __future__ import annotations

import threading
import time

import pytest
import torch
from transformers import AutoTokenizer, GenerationConfig

from hfkatas.paths import repo_root
from hfkatas.testing.expect import value_error_naming
from hfkatas.testing.generation import (
    greedy_continuation,
    transformers_warnings,
    watch_forward,
    watch_generate,
)
from hfkatas.testing.models import load_causal_lm
from hfkatas.testing.stand_in import check_inputs_on_the_model

PROMPTS = [
    "The quick brown fox",
    "A transformer reads a sequence of tokens and predicts the next",
    "Rain",
]
PADDING_WORDS = ("pad", "attention mask", "attention_mask")


def _ids(tokenizer, text: str) -> torch.Tensor:
    return tokenizer(text, return_tensors="pt").input_ids


def _same_text(got: str, expected: str) -> bool:
    return got.strip() == expected.strip()


def _padding_warnings(messages: list[str]) -> list[str]:
    return [m for m in messages if any(word in m.lower() for word in PADDING_WORDS)]


# ---------------------------------------------------------------- 2.1


def _load(kata, repo_id: str, **options):
    """load_for_generation, with the error of a model that has no LM head named."""
    try:
        return kata.load_for_generation(repo_id, **options)
    except AttributeError as error:
        if "generation_config" not in str(error):
            raise
        raise AssertionError(
            f"{error}: only a model with a language-model head has a generation config. Load it "
            "with AutoModelForCausalLM, not AutoModel (which has no language-model head)"
        ) from None


@pytest.mark.task("2.1")
@pytest.mark.timeout(60)
def test_load_gives_a_generating_model_and_a_left_padding_tokenizer(kata, zoo):
    model, tokenizer = _load(kata, zoo.repo_id("tiny-causal"))
    assert model.can_generate() and model.get_output_embeddings() is not None, (
        f"{type(model).__name__} has no language-model head, so it cannot generate: load it "
        "with AutoModelForCausalLM, not AutoModel"
    )
    assert not model.training, "the model is in training mode: call model.eval() after loading"
    assert tokenizer.pad_token is not None, (
        "this tokenizer has no pad token, so batches cannot be padded: set one (for decoder-only "
        "models the usual choice is the EOS token)"
    )
    assert tokenizer.padding_side == "left", (
        f"the tokenizer pads on the {tokenizer.padding_side}: decoder-only models continue from "
        "the last position, so set tokenizer.padding_side = 'left'"
    )
    assert model.generation_config.pad_token_id == tokenizer.pad_token_id, (
        "model.generation_config.pad_token_id is not the tokenizer's pad token id: set it, or "
        "generate has to guess (and warns about it)"
    )
    devices = {parameter.device for parameter in model.parameters()}
    assert devices == {torch.device("cpu")}, (
        f"the model's parameters are on {devices}, not on the device asked for: move it with "
        "model.to(device)"
    )


@pytest.mark.task("2.1")
@pytest.mark.timeout(60)
def test_loaded_model_has_dropout_off(kata, zoo):
    model, tokenizer = _load(kata, zoo.repo_id("tiny-dropout"))
    training = [name for name, module in model.named_modules() if module.training]
    assert not training, (
        f"{len(training)} modules are in training mode (dropout is on, so outputs are random): "
        "call model.eval() after loading"
    )
    inputs = tokenizer("The quick brown fox", return_tensors="pt")
    with torch.no_grad():
        first, second = model(**inputs).logits, model(**inputs).logits
    assert torch.equal(first, second), (
        "two forward passes on the same input differ: dropout is still active, call model.eval()"
    )


@pytest.mark.task("2.1")
@pytest.mark.timeout(60)
def test_batched_generate_after_loading_warns_about_nothing(kata, zoo):
    model, tokenizer = _load(kata, zoo.repo_id("tiny-causal"))
    batch = tokenizer(PROMPTS, return_tensors="pt", padding=True)
    with transformers_warnings() as messages, torch.no_grad():
        sequences = model.generate(**batch, max_new_tokens=5, do_sample=False)
    warned = _padding_warnings(messages)
    assert not warned, (
        f"generate warned about padding: {warned[0]!r}. Set the pad token, left padding and "
        "model.generation_config.pad_token_id when loading"
    )
    for row, prompt in enumerate(PROMPTS):
        expected, _ = greedy_continuation(model, tokenizer, _ids(tokenizer, prompt), 5)
        got = sequences[row, batch.input_ids.shape[1] :]
        assert torch.equal(got[: len(expected)], expected), (
            f"in a padded batch, prompt {row} gets a different continuation than alone: "
            + (
                "the tokenizer pads on the left, so check the pad token and "
                "model.generation_config.pad_token_id"
                if tokenizer.padding_side == "left"
                else "pad on the left so every prompt ends at the last position"
            )
        )


@pytest.mark.task("2.1")
@pytest.mark.timeout(60)
def test_load_puts_the_model_on_the_device_asked_for(kata, zoo):
    model, _ = _load(kata, zoo.repo_id("tiny-causal"), device="meta")
    devices = sorted({str(parameter.device) for parameter in model.parameters()})
    assert devices == ["meta"], (
        f"device='meta' was asked for (the test's stand-in for a GPU) but the parameters are on "
        f"{', '.join(devices)}: the device argument is ignored, move the model with "
        "model.to(device)"
    )


@pytest.mark.task("2.1")
@pytest.mark.cuda
@pytest.mark.timeout(120)
def test_load_puts_the_model_on_the_gpu(kata, zoo):
    model, _ = _load(kata, zoo.repo_id("tiny-causal"), device="cuda")
    assert all(p.device.type == "cuda" for p in model.parameters()), (
        "device='cuda' was asked for but some parameters stayed on the CPU: use model.to(device)"
    )


# ---------------------------------------------------------------- 2.2


@pytest.mark.task("2.2")
@pytest.mark.timeout(60)
@pytest.mark.parametrize("max_new_tokens", [4, 9])
def test_greedy_returns_only_the_new_text(kata, right_padded_llama, max_new_tokens):
    model, tokenizer, _ = right_padded_llama
    prompt = PROMPTS[1]
    _, expected = greedy_continuation(model, tokenizer, _ids(tokenizer, prompt), max_new_tokens)
    with watch_generate(model) as calls:
        first = kata.generate_greedy(model, tokenizer, prompt, max_new_tokens=max_new_tokens)
        second = kata.generate_greedy(model, tokenizer, prompt, max_new_tokens=max_new_tokens)
    assert calls, "generate_greedy never called model.generate: use it to produce the text"
    assert first == second, "greedy decoding gave two different texts: pass do_sample=False"
    assert not first.strip().startswith(prompt), (
        "the text starts with the prompt: generate returns prompt + new tokens, decode only the "
        "tokens after the prompt's length"
    )
    assert _same_text(first, expected), (
        f"expected the greedy continuation {expected!r}, got {first!r}: decode only the new "
        "tokens, with skip_special_tokens=True, and pass max_new_tokens"
    )
    call = calls[0]
    assert call.attention_mask is not None, (
        "generate got no attention_mask: pass the tokenizer's whole output (model.generate(**inputs))"
    )
    assert call.input_ids.device == model.device, (
        "the inputs are not on the model's device: move them with .to(model.device)"
    )
    assert call.settings["pad_token_id"] == tokenizer.pad_token_id, (
        "generate did not get the pad token id (this model's generation config has none): pass "
        "pad_token_id=tokenizer.pad_token_id"
    )


@pytest.mark.task("2.2")
@pytest.mark.timeout(120)
def test_greedy_text_has_no_special_tokens(kata, smollm2):
    model, tokenizer, _ = smollm2
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    text = kata.generate_greedy(model, tokenizer, prompt, max_new_tokens=40)
    found = [token for token in tokenizer.all_special_tokens if token in text]
    assert not found, (
        f"the text contains the special token {found[0]} (SmolLM2 ends its turn with it): "
        "decode with skip_special_tokens=True"
    )


@pytest.mark.task("2.2")
@pytest.mark.timeout(60)
def test_greedy_moves_inputs_to_the_models_device(kata, right_padded_stand_in):
    model, tokenizer, _ = right_padded_stand_in
    check_inputs_on_the_model(
        lambda: kata.generate_greedy(model, tokenizer, PROMPTS[0], max_new_tokens=4),
        "generate_greedy",
    )


@pytest.mark.task("2.2")
@pytest.mark.cuda
@pytest.mark.timeout(120)
def test_greedy_moves_inputs_to_the_gpu(kata, zoo, right_padded_llama):
    _, tokenizer, _ = right_padded_llama
    model = load_causal_lm(zoo.repo_id("tiny-causal")).to("cuda")
    with watch_generate(model) as calls:
        kata.generate_greedy(model, tokenizer, PROMPTS[0], max_new_tokens=4)
    assert calls and calls[0].input_ids.device == model.device, (
        "the inputs are not on the model's device (cuda): move them with .to(model.device)"
    )


# ---------------------------------------------------------------- 2.3


@pytest.mark.task("2.3")
@pytest.mark.timeout(30)
def test_temperature_turns_on_sampling(kata):
    config = kata.make_generation_config(
        max_new_tokens=11, temperature=0.7, top_k=5, top_p=0.9, repetition_penalty=1.3
    )
    assert isinstance(config, GenerationConfig), (
        f"got a {type(config).__name__}: return a transformers GenerationConfig"
    )
    assert config.do_sample is True, (
        "a temperature was given but do_sample is not True: without it generate ignores the "
        "temperature and decodes greedily. Set do_sample=True whenever temperature > 0"
    )
    given = dict(max_new_tokens=11, temperature=0.7, top_k=5, top_p=0.9, repetition_penalty=1.3)
    for name, value in given.items():
        assert getattr(config, name) == pytest.approx(value), (
            f"config.{name} is {getattr(config, name)!r}, not the {value!r} that was given: "
            "copy every setting into the GenerationConfig"
        )


@pytest.mark.task("2.3")
@pytest.mark.timeout(30)
@pytest.mark.parametrize("temperature", [None, 0, 0.0])
def test_no_temperature_means_greedy(kata, temperature):
    config = kata.make_generation_config(
        max_new_tokens=7, temperature=temperature, repetition_penalty=1.3
    )
    assert isinstance(config, GenerationConfig), "return a transformers GenerationConfig"
    assert not config.do_sample, (
        f"temperature={temperature!r} should mean greedy decoding, but do_sample is on: only "
        "sample when temperature > 0"
    )
    assert config.max_new_tokens == 7, "max_new_tokens was not copied into the config"
    assert config.repetition_penalty == pytest.approx(1.3), (
        f"repetition_penalty=1.3 was given with temperature={temperature!r} but the config has "
        f"{config.repetition_penalty!r}: repetition_penalty applies to greedy decoding too, copy "
        "it whatever the temperature"
    )


INVALID_SETTINGS = [
    ("max_new_tokens", 0),
    ("temperature", -0.5),
    ("top_k", -1),
    ("top_p", 0.0),
    ("top_p", 1.5),
    ("repetition_penalty", 0.0),
]


@pytest.mark.task("2.3")
@pytest.mark.timeout(30)
@pytest.mark.parametrize(("name", "value"), INVALID_SETTINGS)
def test_invalid_setting_raises_value_error(kata, name, value):
    value_error_naming(
        lambda: kata.make_generation_config(**{name: value}), name, f"{name}={value!r}"
    )


# ---------------------------------------------------------------- 2.4


@pytest.mark.task("2.4")
@pytest.mark.timeout(60)
def test_sampling_settings_reach_generate_with_do_sample(kata, right_padded_llama):
    model, tokenizer, _ = right_padded_llama
    settings = dict(temperature=0.8, top_k=20, top_p=0.95, repetition_penalty=1.2)
    with watch_generate(model) as calls:
        kata.generate_text(model, tokenizer, PROMPTS[0], max_new_tokens=6, seed=1, **settings)
    assert calls, "generate_text never called model.generate"
    used = calls[-1].settings
    assert used["do_sample"], (
        "generate ran with a temperature but without do_sample=True, so it ignored the "
        "temperature and decoded greedily: pass do_sample=True (or a GenerationConfig with it)"
    )
    for name, value in {**settings, "max_new_tokens": 6}.items():
        assert used[name] == pytest.approx(value), (
            f"generate used {name}={used[name]!r}, not the {value!r} given: pass it to generate "
            "(as an argument or in the GenerationConfig)"
        )


@pytest.mark.task("2.4")
@pytest.mark.timeout(60)
def test_same_seed_same_text_other_seeds_differ(kata, right_padded_llama):
    model, tokenizer, _ = right_padded_llama

    def sample(seed: int) -> str:
        return kata.generate_text(
            model, tokenizer, PROMPTS[0], max_new_tokens=12, temperature=1.0, seed=seed
        )

    assert sample(3) == sample(3), (
        "the same seed gave two different texts: seed the random generator (torch.manual_seed "
        "or transformers.set_seed) right before generating"
    )
    assert sample(0) == sample(0), (
        "seed=0 gave two different texts: 0 is a seed too. Test `seed is not None`, not "
        "`if seed:`, before seeding"
    )
    texts = {sample(seed) for seed in range(4)}
    assert len(texts) > 1, (
        "four seeds gave the same text, so nothing is sampled: with temperature > 0 set "
        "do_sample=True"
    )


@pytest.mark.task("2.4")
@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "settings", [dict(temperature=1.5, top_k=1), dict(temperature=0), dict(temperature=None)]
)
def test_top_k_1_or_no_temperature_equals_greedy(kata, right_padded_llama, settings):
    model, tokenizer, _ = right_padded_llama
    _, expected = greedy_continuation(model, tokenizer, _ids(tokenizer, PROMPTS[2]), 10)
    got = kata.generate_text(model, tokenizer, PROMPTS[2], max_new_tokens=10, seed=7, **settings)
    assert _same_text(got, expected), (
        f"with {settings} the only possible choice is the most likely token, so the text must "
        f"equal the greedy one {expected!r}, got {got!r}: temperature 0 or None means greedy, "
        "and top_k must reach generate"
    )


@pytest.mark.task("2.4")
@pytest.mark.timeout(60)
@pytest.mark.parametrize(("name", "value"), INVALID_SETTINGS)
def test_invalid_setting_raises_before_the_model_runs(kata, right_padded_llama, name, value):
    model, tokenizer, _ = right_padded_llama
    settings = {"temperature": 0.7, name: value}
    with watch_forward(model) as log:
        value_error_naming(
            lambda: kata.generate_text(model, tokenizer, PROMPTS[0], **settings),
            name,
            f"{name}={value!r}",
        )
    assert not log.calls, (
        f"the model ran before {name}={value!r} was rejected: validate the settings first"
    )


# ---------------------------------------------------------------- 2.5


def _logits_with_clear_nucleus(seed: int) -> tuple[torch.Tensor, float, list[set[int]]]:
    """Random logits, a top_p half-way between two cumulative sums of row 0, and each row's
    nucleus computed from the definition."""
    generator = torch.Generator().manual_seed(seed)
    logits = torch.randn(4, 60, generator=generator) * 2.5
    probabilities = logits.softmax(dim=-1)
    ordered, order = probabilities.sort(dim=-1, descending=True)
    cumulative = ordered.cumsum(dim=-1)
    cut = int(torch.randint(2, 20, (1,), generator=generator))
    top_p = float((cumulative[0, cut - 1] + cumulative[0, cut]) / 2)
    nuclei = []
    for row in range(logits.shape[0]):
        size = int((cumulative[row] < top_p).sum()) + 1
        nuclei.append(set(order[row, :size].tolist()))
    return logits, top_p, nuclei


@pytest.mark.task("2.5")
@pytest.mark.timeout(30)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_nucleus_filter_keeps_exactly_the_nucleus(kata, seed):
    logits, top_p, nuclei = _logits_with_clear_nucleus(seed)
    original = logits.clone()
    filtered = kata.nucleus_filter(logits, top_p)
    assert torch.equal(logits, original), (
        "nucleus_filter changed its input tensor: work on a copy (logits.clone())"
    )
    assert isinstance(filtered, torch.Tensor) and filtered.shape == logits.shape, (
        f"expected filtered logits of shape {tuple(logits.shape)}: return one logit per token"
    )
    for row, nucleus in enumerate(nuclei):
        kept = set(torch.nonzero(filtered[row] > float("-inf")).flatten().tolist())
        assert kept == nucleus, (
            f"row {row}: kept {len(kept)} tokens, but the nucleus for top_p={top_p:.3f} has "
            f"{len(nucleus)}: keep the most likely tokens until their probabilities add up to "
            "at least top_p (the token that crosses top_p stays), -inf for the rest"
        )
        index = sorted(nucleus)
        assert torch.allclose(filtered[row, index], logits[row, index]), (
            f"row {row}: the kept logits changed: leave the nucleus untouched, only set the "
            "others to -inf"
        )


@pytest.mark.task("2.5")
@pytest.mark.timeout(30)
def test_nucleus_filter_edges(kata):
    logits = torch.randn(2, 30, generator=torch.Generator().manual_seed(5))
    everything = kata.nucleus_filter(logits, 1.0)
    assert torch.allclose(everything, logits), "top_p=1.0 must keep every token unchanged"
    for bad in (0.0, -0.1, 1.01):
        value_error_naming(
            lambda bad=bad: kata.nucleus_filter(logits, bad), "top_p", f"top_p={bad}"
        )


# ---------------------------------------------------------------- 2.6


@pytest.mark.task("2.6")
@pytest.mark.timeout(120)
def test_generation_stops_at_a_stop_string(kata, smollm2, show):
    model, tokenizer, _ = smollm2
    prompt, budget = "Count from one to twenty: 1, 2, 3,", 16
    _, full = greedy_continuation(model, tokenizer, _ids(tokenizer, prompt), budget)
    stop = full.split()[2]
    expected = full[: full.index(stop)]
    with watch_generate(model) as calls:
        got = kata.generate_until(model, tokenizer, prompt, [stop], max_new_tokens=budget)
    assert stop not in got, (
        f"the text still contains the stop string {stop!r}: cut the text before it"
    )
    assert _same_text(got, expected), (
        f"expected the greedy text before {stop!r}, {expected!r}, got {got!r}"
    )
    generated = calls[-1].new_tokens.shape[1] if calls else budget
    assert generated < budget, (
        f"generate produced all {budget} tokens although {stop!r} appeared early: pass "
        "stop_strings (and tokenizer=tokenizer) to generate so it stops there"
    )
    show(f"{prompt!r} until {stop!r}", repr(got))


@pytest.mark.task("2.6")
@pytest.mark.timeout(30)
@pytest.mark.parametrize("stop_strings", [[], [""]])
def test_empty_stop_strings_raise(kata, right_padded_llama, stop_strings):
    model, tokenizer, _ = right_padded_llama
    value_error_naming(
        lambda: kata.generate_until(model, tokenizer, PROMPTS[0], stop_strings),
        "stop",
        f"stop_strings={stop_strings!r}",
    )


# ---------------------------------------------------------------- 2.7


@pytest.mark.task("2.7")
@pytest.mark.timeout(60)
def test_batched_equals_unbatched(kata, right_padded_llama):
    model, tokenizer, _ = right_padded_llama
    expected = [
        greedy_continuation(model, tokenizer, _ids(tokenizer, prompt), 8)[1] for prompt in PROMPTS
    ]
    with watch_generate(model) as calls, transformers_warnings() as messages:
        got = kata.generate_batch(model, tokenizer, PROMPTS, max_new_tokens=8)
    assert len(calls) == 1 and calls[0].input_ids.shape[0] == len(PROMPTS), (
        "generate_batch should run ONE generate call on the whole padded batch, not one per prompt"
    )
    mask = calls[0].attention_mask
    assert mask is not None and bool(mask[:, -1].all()), (
        "the batch is padded on the right, so short prompts continue after padding: pad on the "
        "left (tokenizer.padding_side = 'left' or padding_side='left' in the tokenizer call)"
    )
    assert not _padding_warnings(messages), (
        f"generate warned: {_padding_warnings(messages)[0]!r}: pass the attention mask and "
        "pad_token_id"
    )
    assert isinstance(got, list) and len(got) == len(PROMPTS), (
        "return one text per prompt, in the prompts' order"
    )
    stripped = [text.strip() for text in got]
    assert stripped == [text.strip() for text in expected] or sorted(stripped) != sorted(
        text.strip() for text in expected
    ), "the texts are right but in another order: return them in the order of the prompts"
    for prompt, text, alone in zip(PROMPTS, got, expected, strict=True):
        assert _same_text(text, alone), (
            f"{prompt!r} gives {alone!r} alone but {text!r} in the left-padded batch: pass the "
            "attention mask to generate (so the padding is ignored) and drop the padded prompt "
            "length from every row"
        )


@pytest.mark.task("2.7")
@pytest.mark.timeout(30)
def test_batch_of_nothing_is_an_empty_list(kata, right_padded_llama):
    model, tokenizer, _ = right_padded_llama
    assert kata.generate_batch(model, tokenizer, []) == [], "no prompts should give []"


# ---------------------------------------------------------------- 2.8


TOKENIZER_MAX_LENGTH = 1_000_000


@pytest.fixture(scope="module")
def short_context_lm(zoo):
    """A tiny Llama with a 96-token window, so a hard-coded 128 shows, and a tokenizer whose
    model_max_length says nothing about that window."""
    repo_id = zoo.variant("tiny-causal", model_max_length=96)
    # Like many real tokenizers, this one does not know the model's window.
    tokenizer = AutoTokenizer.from_pretrained(repo_id, model_max_length=TOKENIZER_MAX_LENGTH)
    tokenizer.pad_token = tokenizer.eos_token
    return load_causal_lm(repo_id), tokenizer


def _long_prompt() -> str:
    return (repo_root() / "fixtures" / "corpus" / "english.txt").read_text(encoding="utf-8")


def _prompt_of(tokenizer, length: str, window: int, budget: int) -> str:
    """A prompt far longer than the window, or one that fits alone but not with the new tokens."""
    prompt = _long_prompt()
    if length == "longer-than-the-window":
        return prompt
    prompt = tokenizer.decode(
        _ids(tokenizer, prompt)[0, : window - budget // 2], skip_special_tokens=True
    )
    assert window - budget < _ids(tokenizer, prompt).shape[1] <= window, (
        "test set-up: the prompt must fit the window alone, but not with the new tokens"
    )
    return prompt


@pytest.mark.task("2.8")
@pytest.mark.timeout(60)
@pytest.mark.parametrize("length", ["longer-than-the-window", "fits-without-the-new-tokens"])
def test_long_prompt_keeps_its_end_and_room_for_new_tokens(kata, short_context_lm, length):
    model, tokenizer = short_context_lm
    window, budget = model.config.max_position_embeddings, 16
    prompt = _prompt_of(tokenizer, length, window, budget)
    kept = _ids(tokenizer, prompt)[:, -(window - budget) :]
    _, expected = greedy_continuation(model, tokenizer, kept, budget)
    with watch_generate(model) as calls:
        got = kata.generate_long(model, tokenizer, prompt, max_new_tokens=budget)
    assert calls, "generate_long never called model.generate"
    seen = calls[-1].input_ids
    assert seen.shape[1] + budget <= window, (
        f"generate got {seen.shape[1]} prompt tokens + {budget} new ones, more than the "
        f"{window}-token window: truncate the prompt to window - max_new_tokens tokens, with the "
        "window read from model.config.max_position_embeddings (tokenizer.model_max_length is "
        f"{tokenizer.model_max_length} here: the tokenizer does not know the model's window)"
    )
    assert torch.equal(seen[0].cpu(), kept[0]), (
        f"generate did not get the LAST {window - budget} prompt tokens: truncate from the "
        "left (the end of the prompt is what the model must continue)"
    )
    assert _same_text(got, expected), f"expected {expected!r} from the kept tokens, got {got!r}"


@pytest.mark.task("2.8")
@pytest.mark.timeout(60)
def test_short_prompt_is_left_alone(kata, short_context_lm):
    model, tokenizer = short_context_lm
    with watch_generate(model) as calls:
        kata.generate_long(model, tokenizer, PROMPTS[1], max_new_tokens=8)
    assert calls and torch.equal(calls[-1].input_ids[0].cpu(), _ids(tokenizer, PROMPTS[1])[0]), (
        "a prompt that fits was changed: only truncate prompts longer than the room left"
    )


@pytest.mark.task("2.8")
@pytest.mark.timeout(30)
@pytest.mark.parametrize("budget", [0, 96, 200])
def test_no_room_for_the_prompt_raises(kata, short_context_lm, budget):
    model, tokenizer = short_context_lm
    value_error_naming(
        lambda: kata.generate_long(model, tokenizer, PROMPTS[0], max_new_tokens=budget),
        "max_new_tokens",
        f"max_new_tokens={budget} with a {model.config.max_position_embeddings}-token window",
    )


# ---------------------------------------------------------------- 2.9


@pytest.mark.task("2.9")
@pytest.mark.timeout(120)
def test_chat_uses_the_template_and_stops_at_the_end_of_the_turn(kata, smollm2, show):
    model, tokenizer, _ = smollm2
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    budget = 40
    templated = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    expected_ids = tokenizer(templated, add_special_tokens=False).input_ids
    with watch_generate(model) as calls:
        reply = kata.chat(model, tokenizer, messages, max_new_tokens=budget)
    assert calls, "chat never called model.generate"
    call = calls[-1]
    row = (
        call.input_ids[0][call.attention_mask[0].bool()]
        if call.attention_mask is not None
        else call.input_ids[0]
    )
    assert row.tolist() == expected_ids, (
        "generate did not get the conversation formatted by the chat template with the "
        "assistant's turn opened: use tokenizer.apply_chat_template(messages, "
        "add_generation_prompt=True)"
    )
    new = call.new_tokens[0]
    assert new.shape[0] < budget, (
        "the reply used the whole budget instead of ending its turn: keep the EOS token "
        "(<|im_end|>) as a stop condition"
    )
    assert "<|im_" not in reply, (
        "the reply contains chat special tokens: decode with skip_special_tokens=True"
    )
    assert _same_text(reply, tokenizer.decode(new, skip_special_tokens=True)), (
        "return only the assistant's new text, not the conversation"
    )
    show("chat answer", reply)


# ---------------------------------------------------------------- 2.10


@pytest.mark.task("2.10")
@pytest.mark.timeout(120)
def test_pieces_arrive_while_generating(kata, smollm2, show):
    model, tokenizer, _ = smollm2
    prompt, budget = "The three primary colors are", 16
    _, expected = greedy_continuation(model, tokenizer, _ids(tokenizer, prompt), budget)
    arrivals: list[float] = []
    pieces: list[str] = []
    with watch_forward(model) as log:
        for piece in kata.stream_generate(model, tokenizer, prompt, max_new_tokens=budget):
            arrivals.append(time.perf_counter())
            pieces.append(piece)
    assert len(pieces) > 1, (
        "stream_generate gave the whole text in one piece: yield text as tokens are produced "
        "(TextIteratorStreamer)"
    )
    assert all(isinstance(piece, str) for piece in pieces), "yield str pieces of text"
    assert _same_text("".join(pieces), expected), (
        f"the pieces join to {''.join(pieces)!r}, not the greedy continuation {expected!r}"
    )
    assert arrivals[0] < log.calls[-1].started_at, (
        "the first piece arrived only after generation had finished: run generate in a "
        "thread with a TextIteratorStreamer and yield from the streamer"
    )
    show(f"{len(pieces)} pieces", "|".join(pieces))


class _GenerationFailed(RuntimeError):
    """What the test's broken generate raises (as a GPU out of memory would)."""


@pytest.mark.task("2.10")
@pytest.mark.timeout(60)
def test_a_failing_generation_is_an_error_not_a_hang(kata, right_padded_llama):
    model, tokenizer, _ = right_padded_llama
    outcome: list[object] = []

    def broken_generate(*args, **kwargs):
        raise _GenerationFailed("CUDA out of memory (the test's stand-in for a real failure)")

    def consume() -> None:
        try:
            outcome.append(list(kata.stream_generate(model, tokenizer, PROMPTS[0], 4)))
        except BaseException as error:
            outcome.append(error)

    model.generate = broken_generate
    try:
        reader = threading.Thread(target=consume, daemon=True)
        reader.start()
        reader.join(timeout=STREAM_FAILURE_DEADLINE_S)
    finally:
        del model.generate
    assert outcome, (
        f"stream_generate hangs when the generation thread fails: after "
        f"{STREAM_FAILURE_DEADLINE_S} s it was still waiting for text that will never come. "
        "Catch the thread's error, end the streamer (streamer.end(), or give "
        "TextIteratorStreamer a timeout) and re-raise the error"
    )
    if isinstance(outcome[0], NotImplementedError):
        raise outcome[0]
    assert isinstance(outcome[0], _GenerationFailed), (
        f"generation failed in its thread, but stream_generate "
        f"{'returned ' + repr(outcome[0]) if isinstance(outcome[0], list) else 'raised ' + repr(outcome[0])}: "
        "re-raise the generation thread's error, so the caller knows the text is incomplete"
    )


STREAM_FAILURE_DEADLINE_S = 20
