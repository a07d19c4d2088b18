"""Tasks 1.8–1.11: the right Auto class, device choice, eval mode and placement, dtype."""

from __future__ import annotations

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

TEXT = "The quick brown fox jumps over"


def _run(model, repo_id: str, texts: list[str]):
    tokenizer = AutoTokenizer.from_pretrained(repo_id)
    with torch.no_grad():
        return model(**tokenizer(texts, padding=True, return_tensors="pt"))


def _can_generate(model) -> bool:
    return hasattr(model, "generate") and model.get_output_embeddings() is not None


@pytest.mark.task("1.8")
@pytest.mark.timeout(30)
def test_text_generation_with_a_decoder_gets_an_lm_head(kata, zoo):
    model = kata.load_model(zoo.repo_id("tiny-causal"), "text-generation")
    assert _can_generate(model), (
        f"got a {type(model).__name__}, which has no LM head and no generate(): AutoModel loads "
        "the bare model; use AutoModelForCausalLM for text generation"
    )
    assert not model.config.is_encoder_decoder, "a Llama is decoder-only: use AutoModelForCausalLM"


@pytest.mark.task("1.8")
@pytest.mark.timeout(30)
def test_text_generation_with_a_t5_needs_seq2seq(kata, small_t5):
    try:
        model = kata.load_model(small_t5, "text-generation")
    except ValueError as error:
        raise AssertionError(
            "a T5 is an encoder-decoder model, which AutoModelForCausalLM can't load: use "
            f"AutoModelForSeq2SeqLM when config.is_encoder_decoder is True ({error})"
        ) from None
    assert _can_generate(model) and model.config.is_encoder_decoder, (
        f"got a {type(model).__name__}, which can't generate: a T5 needs AutoModelForSeq2SeqLM"
    )


@pytest.mark.task("1.8")
@pytest.mark.timeout(30)
def test_text_classification_gets_a_head_with_one_score_per_label(kata, four_label_bert):
    model = kata.load_model(four_label_bert, "text-classification")
    logits = getattr(_run(model, four_label_bert, [TEXT, "ok"]), "logits", None)
    labels = len(model.config.id2label)
    assert logits is not None and tuple(logits.shape) == (2, labels), (
        f"expected logits of shape (2 texts, {labels} labels), got "
        f"{None if logits is None else tuple(logits.shape)}: use "
        "AutoModelForSequenceClassification for text classification"
    )


@pytest.mark.task("1.8")
@pytest.mark.timeout(30)
def test_feature_extraction_gets_the_bare_model(kata, four_label_bert):
    model = kata.load_model(four_label_bert, "feature-extraction")
    outputs = _run(model, four_label_bert, [TEXT])
    assert getattr(outputs, "logits", None) is None, (
        f"got a {type(model).__name__}, a model with a task head: for features load the bare "
        "model with AutoModel"
    )
    hidden = outputs.last_hidden_state
    assert hidden.shape[-1] == model.config.hidden_size, (
        "last_hidden_state should have hidden_size features per token: use AutoModel"
    )


@pytest.mark.task("1.8")
@pytest.mark.timeout(30)
def test_unknown_task_is_a_clear_error(kata, zoo, expect_error):
    error = expect_error(
        ValueError,
        lambda: kata.load_model(zoo.repo_id("tiny-causal"), "translate-to-klingon"),
        "load_model accepted the task 'translate-to-klingon'",
    )
    missing = [task for task in kata.TASKS if task not in str(error)]
    assert not missing, (
        f"the ValueError should list the tasks load_model knows (missing {missing}), so the "
        f"reader knows what to pass; it says: {error}"
    )


@pytest.mark.task("1.9")
@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("cuda", "mps", "expected"),
    [(True, True, "cuda"), (True, False, "cuda"), (False, True, "mps"), (False, False, "cpu")],
)
def test_pick_device_prefers_cuda_then_mps_then_cpu(kata, monkeypatch, cuda, mps, expected):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    got = kata.pick_device()
    assert torch.device(got).type == expected, (
        f"with CUDA {'available' if cuda else 'missing'} and MPS "
        f"{'available' if mps else 'missing'} the best device is {expected!r}, got {got!r}: "
        "check torch.cuda.is_available() first, then torch.backends.mps.is_available()"
    )


@pytest.fixture
def dropout_model_in_training_mode(zoo):
    repo_id = zoo.repo_id("tiny-dropout")
    model = AutoModelForCausalLM.from_pretrained(repo_id)
    model.train()  # as it is after a fine-tuning step
    return model, AutoTokenizer.from_pretrained(repo_id)


@pytest.mark.task("1.10")
@pytest.mark.timeout(30)
def test_next_token_logits_switches_to_eval_mode(kata, dropout_model_in_training_mode):
    model, tokenizer = dropout_model_in_training_mode
    first = kata.next_token_logits(model, tokenizer, TEXT)
    second = kata.next_token_logits(model, tokenizer, TEXT)
    assert isinstance(first, torch.Tensor) and tuple(first.shape) == (model.config.vocab_size,), (
        f"expected a 1-D tensor with one score per vocabulary entry ({model.config.vocab_size}), "
        f"got {getattr(first, 'shape', type(first).__name__)}: take logits[0, -1]"
    )
    assert torch.equal(first, second), (
        "two calls on the same text gave different logits: the model is still in training mode, "
        "so dropout is active. Call model.eval() before inference"
    )
    assert not first.requires_grad, (
        "the logits carry gradients: run the forward pass under torch.no_grad() (or "
        "torch.inference_mode()) to save memory and time"
    )
    model.eval()
    with torch.no_grad():
        expected = model(**tokenizer(TEXT, return_tensors="pt")).logits[0, -1]
    assert torch.allclose(first, expected, atol=1e-5), (
        "the logits are not those of the last position of the text: take logits[0, -1]"
    )


@pytest.fixture
def model_on_another_device(zoo):
    """A model on PyTorch's `meta` device: a stand-in for a GPU that works on any machine.

    Meta tensors have shapes but no data, and PyTorch does not complain when CPU inputs meet a
    meta model, so a spy records the device of every tensor the model receives.
    """
    repo_id = zoo.repo_id("tiny-causal")
    model = AutoModelForCausalLM.from_pretrained(repo_id, attn_implementation="eager").to("meta")
    seen: list[torch.device] = []
    forward = model.forward

    def spy(*args, **kwargs):
        seen.extend(v.device for v in (*args, *kwargs.values()) if isinstance(v, torch.Tensor))
        return forward(*args, **kwargs)

    model.forward = spy
    return model, AutoTokenizer.from_pretrained(repo_id), seen


@pytest.mark.task("1.10")
@pytest.mark.timeout(30)
def test_inputs_go_to_the_models_device(kata, model_on_another_device):
    model, tokenizer, seen = model_on_another_device
    logits = kata.next_token_logits(model, tokenizer, TEXT)
    wrong = sorted({str(device) for device in seen if device != model.device})
    assert seen and not wrong, (
        f"the model is on {model.device} (the test's stand-in for a GPU) but its inputs were on {', '.join(wrong) or 'nothing'}: "
        "move the tokenizer's output to the model's device with .to(model.device)"
    )
    assert logits.device == model.device, (
        f"return the logits where the model computed them ({model.device}), got {logits.device}"
    )


@pytest.mark.cuda
@pytest.mark.task("1.10")
@pytest.mark.timeout(60)
def test_inputs_go_to_the_gpu_with_the_model(kata, zoo):
    repo_id = zoo.repo_id("tiny-causal")
    model = AutoModelForCausalLM.from_pretrained(repo_id).to("cuda")
    logits = kata.next_token_logits(model, AutoTokenizer.from_pretrained(repo_id), TEXT)
    assert logits.device.type == "cuda", (
        f"the logits are on {logits.device}, not the GPU: move the inputs with .to(model.device)"
    )


@pytest.mark.task("1.11")
@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("dtype", "size"), [(torch.bfloat16, 2.0), (torch.float32, 4.0), (torch.float16, 2.0)]
)
def test_load_in_dtype(kata, zoo, dtype, size):
    model = kata.load_in_dtype(zoo.repo_id("tiny-causal"), dtype)
    dtypes = sorted({str(p.dtype) for p in model.parameters()})
    assert dtypes == [str(dtype)], (
        f"the weights are {', '.join(dtypes)}, not {dtype}: pass dtype={dtype} to from_pretrained"
    )
    got = kata.bytes_per_parameter(model)
    assert got == pytest.approx(size, rel=1e-2), (
        f"a {dtype} parameter takes {size:g} bytes, got {got}: divide the bytes of all "
        "parameters (numel() * element_size()) by their number"
    )


@pytest.mark.task("1.11")
@pytest.mark.timeout(30)
def test_bytes_per_parameter_counts_every_parameter(kata, zoo):
    model = AutoModelForCausalLM.from_pretrained(zoo.repo_id("tiny-causal"))
    model.lm_head.to(torch.bfloat16)  # now mixed: float32 everywhere but the LM head
    params = list(model.parameters())
    expected = sum(p.numel() * p.element_size() for p in params) / sum(p.numel() for p in params)
    got = kata.bytes_per_parameter(model)
    assert got == pytest.approx(expected, rel=1e-2), (
        f"this model mixes float32 and bfloat16 and averages {expected:.3f} bytes per parameter, "
        f"got {got}: add up numel() * element_size() over every parameter, don't trust model.dtype"
    )
