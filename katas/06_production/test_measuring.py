"""Tasks 6.4–6.5: time things fairly, then measure generation (no timed asserts: a fake clock)."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from hfkatas.testing.models import ZooModel

PROMPTS = ["The film was", "A slow and tedious story about", "Bright, funny and warm"]
SECONDS_PER_TOKEN = 0.01
PREFILL_SECONDS = 0.05  # each generate call first reads the prompt: the first token costs more


class ScriptedWork:
    """A function whose calls 'take' scripted durations on a fake clock, logging every event."""

    def __init__(self, durations: list[float]) -> None:
        self.durations = list(durations)
        self.now = 0.0
        self.events: list[str] = []

    def __call__(self) -> None:
        self.events.append("call")
        self.now += self.durations.pop(0)

    def clock(self) -> float:
        self.events.append("clock")
        return self.now

    def synchronize(self) -> None:
        self.events.append("sync")


@pytest.mark.task("6.4")
@pytest.mark.timeout(10)
def test_warmup_is_not_timed_and_the_median_is_returned(kata: Any) -> None:
    work = ScriptedWork([100.0, 100.0, 5.0, 1.0, 3.0, 50.0, 2.0])
    result = kata.median_seconds(
        work, warmup=2, repeats=5, clock=work.clock, synchronize=work.synchronize
    )
    calls = work.events.count("call")
    assert calls == 7, f"2 warm-up calls + 5 timed repeats make 7 calls of fn, you made {calls}"
    assert result == pytest.approx(3.0), (
        f"the timed calls took 5, 1, 3, 50 and 2 s: their median is 3 s, you returned {result}. "
        "Leave the warm-up calls (100 s each) out, time each repeat on its own and take the "
        "median (not the mean, which one slow outlier drags up)"
    )


@pytest.mark.task("6.4")
@pytest.mark.timeout(10)
def test_an_even_number_of_repeats_has_the_middle_pair_mean_as_median(kata: Any) -> None:
    work = ScriptedWork([100.0, 5.0, 1.0, 3.0, 50.0])
    result = kata.median_seconds(
        work, warmup=1, repeats=4, clock=work.clock, synchronize=work.synchronize
    )
    assert result == pytest.approx(4.0), (
        f"the timed calls took 5, 1, 3 and 50 s, you returned {result}: with an even number of "
        "repeats the median is the mean of the two middle times (statistics.median), 4 s here"
    )


@pytest.mark.task("6.4")
@pytest.mark.timeout(10)
def test_synchronize_comes_before_every_clock_read(kata: Any) -> None:
    work = ScriptedWork([1.0] * 6)
    kata.median_seconds(work, warmup=2, repeats=4, clock=work.clock, synchronize=work.synchronize)
    events = work.events
    first_clock = events.index("clock") if "clock" in events else len(events)
    assert events[:first_clock].count("call") == 2, (
        "run the warm-up calls before you start reading the clock"
    )
    for index, event in enumerate(events):
        calls_before = events[:index].count("call")
        if event == "clock" and calls_before:
            last_call = max(i for i in range(index) if events[i] == "call")
            assert "sync" in events[last_call:index], (
                "the clock was read right after the warm-up calls without synchronize() in "
                "between: their queued GPU work would be timed in the first repeat. Call "
                "synchronize() before starting the clock too"
                if calls_before == 2
                else "a clock read follows a call without synchronize() in between: on a GPU "
                "the work is still queued, so call synchronize() before reading the clock"
            )


@pytest.mark.task("6.4")
@pytest.mark.timeout(10)
@pytest.mark.parametrize(("warmup", "repeats"), [(-1, 3), (1, 0)])
def test_bad_repeat_counts_are_refused(
    kata: Any, warmup: int, repeats: int, expect_error: Any
) -> None:
    expect_error(
        ValueError,
        lambda: kata.median_seconds(lambda: None, warmup=warmup, repeats=repeats),
        f"warmup={warmup}, repeats={repeats} cannot be timed: check warmup >= 0 and "
        "repeats >= 1 first, and raise a ValueError",
    )


def first_tokens(model: Any, repo_id: str) -> list[int]:
    """The token greedy generation makes first for each prompt alone."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    tokens = set()
    for prompt in PROMPTS:
        inputs = tokenizer(prompt, return_tensors="pt")
        with torch.no_grad():
            logits = model(**inputs).logits
        tokens.add(int(logits[0, -1].argmax()))
    return sorted(tokens)


def prompt_ids(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The prompt tensor of a `generate` call, however it was passed."""
    for name in ("input_ids", "inputs"):
        if kwargs.get(name) is not None:
            return kwargs[name]
    return args[0]


def generation_setting(kwargs: dict[str, Any], name: str, default: Any) -> Any:
    """A `generate` setting, given as a keyword or inside a `generation_config`."""
    if name in kwargs:
        return kwargs[name]
    return getattr(kwargs.get("generation_config"), name, default)


class TimedGenerate:
    """Wraps model.generate: records each call and advances a fake clock per generated token."""

    def __init__(self, model: Any) -> None:
        self.original = model.generate
        self.now = 0.0
        self.calls: list[dict[str, Any]] = []

    def clock(self) -> float:
        return self.now

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        output = self.original(*args, **kwargs)
        input_ids = prompt_ids(args, kwargs)
        sequences = getattr(output, "sequences", output)  # return_dict_in_generate=True
        new_tokens = sequences.shape[1] - input_ids.shape[1]
        mask = kwargs.get("attention_mask")
        self.calls.append(
            {
                "batch": input_ids.shape[0],
                "new_tokens": new_tokens,
                "use_cache": generation_setting(kwargs, "use_cache", True),
                "do_sample": generation_setting(kwargs, "do_sample", False),
                "mask": mask is not None,
                # left padding: in every row, no real token (1) is followed by padding (0)
                "left_padded": mask is None or bool((mask.diff(dim=1) >= 0).all()),
            }
        )
        self.now += PREFILL_SECONDS + SECONDS_PER_TOKEN * new_tokens
        return output


@pytest.mark.task("6.5")
@pytest.mark.timeout(60)
@pytest.mark.parametrize("use_cache", [True, False])
def test_generation_is_measured_on_the_whole_batch(
    kata: Any, tiny_llama: ZooModel, monkeypatch: Any, use_cache: bool
) -> None:
    model = tiny_llama.model
    # Make the first token greedy generation picks an end-of-sequence token: only
    # min_new_tokens keeps every generation at exactly max_new_tokens.
    monkeypatch.setattr(
        model.generation_config, "eos_token_id", first_tokens(model, tiny_llama.repo_id)
    )
    spy = TimedGenerate(model)
    monkeypatch.setattr(model, "generate", spy)
    stats = kata.measure_generation(
        model,
        tiny_llama.tokenizer,
        PROMPTS,
        max_new_tokens=6,
        use_cache=use_cache,
        warmup=1,
        repeats=2,
        clock=spy.clock,
    )
    assert spy.calls, "measure_generation never called model.generate"
    for call in spy.calls:
        assert call["batch"] == len(PROMPTS), (
            f"a generate call got {call['batch']} prompts: pass the whole batch of "
            f"{len(PROMPTS)} in every call (pad on the left)"
        )
        assert call["use_cache"] == use_cache, (
            f"pass use_cache={use_cache} to every generate call, so the KV cache can be compared"
        )
        assert not call["do_sample"], "measure greedy generation: do_sample=False"
        assert call["mask"], (
            "a generate call got no attention_mask: pass the tokenizer's attention mask, so "
            "padding is not read as text"
        )
        assert call["left_padded"], (
            "the prompts were padded on the right: a decoder continues from the last position, "
            "so pad on the left (tokenizer.padding_side = 'left') when you measure generation"
        )
    full = [call for call in spy.calls if call["new_tokens"] > 1]
    assert len(full) == 3 and all(call["new_tokens"] == 6 for call in full), (
        f"the full generation should run 1 warm-up + 2 repeats, each making exactly 6 new "
        f"tokens (set min_new_tokens too, so an early EOS cannot shorten it); got new-token "
        f"counts {[call['new_tokens'] for call in spy.calls]}"
    )
    total = PREFILL_SECONDS + 6 * SECONDS_PER_TOKEN
    expected = {
        "batch_size": (len(PROMPTS), "the number of prompts"),
        "new_tokens": (6, "max_new_tokens"),
        "seconds": (total, "the median time of the full generation, with the clock you were given"),
        "time_to_first_token_s": (
            PREFILL_SECONDS + SECONDS_PER_TOKEN,
            "measure it: the median time of a 1-token generation (reading the prompt costs more "
            "than one later token, so the total divided by the tokens is not it)",
        ),
        "tokens_per_second": (
            len(PROMPTS) * 6 / total,
            "count every sequence of the batch: batch × new tokens / seconds",
        ),
    }
    for field, (want, advice) in expected.items():
        got = getattr(stats, field)
        assert got == pytest.approx(want), f"{field} is {got}, expected {want}: {advice}"
    if not torch.cuda.is_available():
        assert stats.peak_memory_bytes is None, "on CPU report peak_memory_bytes as None"


@pytest.mark.task("6.5")
@pytest.mark.cuda
@pytest.mark.timeout(120)
def test_peak_memory_grows_with_the_batch_on_cuda(kata: Any, zoo: Any) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    repo_id = zoo.repo_id("chat")
    model = AutoModelForCausalLM.from_pretrained(repo_id, dtype=torch.bfloat16).to("cuda").eval()
    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    weights = model.get_memory_footprint()
    peaks = {
        batch: kata.measure_generation(
            model, tokenizer, PROMPTS[:1] * batch, max_new_tokens=32, repeats=2
        ).peak_memory_bytes
        for batch in (1, 16)
    }
    assert all(isinstance(peak, int) and peak >= weights for peak in peaks.values()), (
        f"peak memory {peaks} should be torch.cuda.max_memory_allocated() over the timed runs, "
        f"at least the weights ({weights:,} bytes)"
    )
    assert peaks[16] > peaks[1], (
        f"a batch of 16 should peak higher than a batch of 1 (more KV cache), got {peaks}: "
        "reset the peak statistics before timing"
    )
