"""Tasks 4.6–4.11: evaluate, train with Trainer, save/load/merge, memory, QLoRA, loss plot."""

from __future__ import annotations

import math

import pytest
import torch

TINY_LENGTH = 48


def _randomize_lora(model) -> None:
    """LoRA's B matrices start at zero (a no-op adapter): give them values so it matters."""
    torch.manual_seed(1)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0, 0.5)


@pytest.mark.task("4.6")
@pytest.mark.timeout(60)
def test_predictions_do_not_depend_on_batching(kata, zoo, tiny_tokenizer, load_causal, make_splits):
    model = load_causal(zoo.repo_id("tiny-causal"))
    texts = make_splits(6, 6)["validation"]["text"]
    one = kata.predict(model, tiny_tokenizer, texts, batch_size=1, max_length=TINY_LENGTH)
    many = kata.predict(model, tiny_tokenizer, texts, batch_size=4, max_length=TINY_LENGTH)
    assert len(one) == len(texts) and all(0 <= p < len(kata.LABELS) for p in one), (
        "return one label index (0..4) per text"
    )
    assert one == many, (
        "predictions change with the batch size: with right padding read the logits at each "
        "row's last real token, not at position -1"
    )


@pytest.mark.task("4.6")
@pytest.mark.timeout(60)
def test_evaluation_is_consistent(kata, zoo, tiny_tokenizer, load_causal, make_splits):
    model = load_causal(zoo.repo_id("tiny-causal"))
    validation = make_splits(4, 10)["validation"]
    result = kata.evaluate(model, tiny_tokenizer, validation, batch_size=3, max_length=TINY_LENGTH)
    predicted = kata.predict(model, tiny_tokenizer, validation["text"], max_length=TINY_LENGTH)
    accuracy = sum(p == y for p, y in zip(predicted, validation["label"], strict=True)) / 10
    assert result.accuracy == pytest.approx(accuracy), (
        "accuracy must be the share of predict() results equal to the labels"
    )
    other = kata.evaluate(model, tiny_tokenizer, validation, batch_size=10, max_length=TINY_LENGTH)
    assert math.isfinite(result.loss) and result.loss > 0, "the loss must be a positive number"
    assert result.loss == pytest.approx(other.loss, rel=1e-4), (
        "the loss changes with the batch size: average over answer tokens, ignoring -100 labels"
    )


@pytest.mark.task("4.7")
@pytest.mark.timeout(120)
def test_training_is_reproducible_and_saves_only_the_adapter(kata, zoo, make_splits, tmp_path):
    from safetensors import safe_open

    data, repo_id = make_splits(16, 8), zoo.repo_id("tiny-causal")
    first = kata.train(repo_id, data, tmp_path / "a", epochs=3, seed=5, max_length=TINY_LENGTH)
    again = kata.train(repo_id, data, tmp_path / "b", epochs=3, seed=5, max_length=TINY_LENGTH)
    assert [h.epoch for h in first.history] == [1.0, 2.0, 3.0], (
        "history needs one entry per epoch: use eval_strategy and logging_strategy 'epoch'"
    )
    assert all(math.isfinite(h.train_loss) and math.isfinite(h.eval_loss) for h in first.history)
    assert [h.eval_loss for h in first.history] == pytest.approx(
        [h.eval_loss for h in again.history], rel=1e-5
    ), "two runs with the same seed differ: call set_seed(seed) before building the model"
    files = sorted(p.name for p in (tmp_path / "a").iterdir() if p.is_file())
    assert "adapter_config.json" in files and "adapter_model.safetensors" in files, (
        f"the output folder holds {files}: save the trained PEFT model there (trainer.save_model)"
    )
    with safe_open(tmp_path / "a" / "adapter_model.safetensors", "pt") as saved:
        names = list(saved.keys())
    assert names and all("lora_" in n for n in names), (
        "the saved file holds base weights: save the adapter only, not the whole model"
    )


@pytest.mark.task("4.7")
@pytest.mark.slow
@pytest.mark.timeout(900)  # 164 s measured on 2 quiet cores: 5x and more
def test_lora_improves_smollm2_on_real_reviews(kata, zoo, load_causal, make_splits, tmp_path):
    """About 1.5 minutes on 2 CPU cores: 128 reviews, 3 epochs, 100 held out."""
    repo_id = zoo.repo_id("chat")
    data = make_splits(128, 100, offset=500)
    tokenizer = kata.load_tokenizer(repo_id)
    before = kata.evaluate(load_causal(repo_id), tokenizer, data["validation"], max_length=48)
    result = kata.train(repo_id, data, tmp_path, epochs=3, seed=0, max_length=48)
    after = kata.evaluate(result.model, tokenizer, data["validation"], max_length=48)
    standard_error = math.sqrt(0.25 / len(data["validation"]))
    assert after.accuracy >= before.accuracy + 2 * standard_error, (
        f"validation accuracy went from {before.accuracy:.2f} to {after.accuracy:.2f}: expected a "
        f"gain of at least {2 * standard_error:.2f}. Check the label masking and the learning rate"
    )
    assert after.loss < before.loss / 2, (
        f"validation loss {before.loss:.2f} → {after.loss:.2f}: it should at least halve"
    )
    adapter = tmp_path / "adapter_model.safetensors"
    base_bytes = sum(p.numel() * p.element_size() for p in load_causal(repo_id).parameters())
    assert adapter.stat().st_size < 0.01 * base_bytes, (
        "the saved adapter should be under 1 % of the base model's size: save only the adapter"
    )


@pytest.mark.task("4.8")
@pytest.mark.timeout(60)
def test_adapter_reloads_and_merges(kata, zoo, tiny_tokenizer, load_causal, make_splits, tmp_path):
    from peft import PeftModel

    repo_id = zoo.repo_id("tiny-causal")
    tuned = kata.add_lora(load_causal(repo_id), ["q_proj", "v_proj"], r=4)
    _randomize_lora(tuned)
    tuned.save_pretrained(tmp_path)
    ids = torch.tensor([tiny_tokenizer("Review: a fine film\nSentiment:").input_ids])
    with torch.no_grad():
        expected = tuned.eval()(input_ids=ids).logits
        plain = load_causal(repo_id)(input_ids=ids).logits
    assert not torch.allclose(expected, plain), "test set-up: the adapter should change logits"

    loaded, tokenizer = kata.load_finetuned(repo_id, tmp_path)
    with torch.no_grad():
        logits = loaded(input_ids=ids).logits
    assert torch.allclose(logits, expected, atol=1e-5), (
        "the reloaded model gives other logits: load the base, then PeftModel.from_pretrained"
    )
    merged, _ = kata.load_finetuned(repo_id, tmp_path, merge=True)
    assert not isinstance(merged, PeftModel), "with merge=True return merge_and_unload()'s model"
    with torch.no_grad():
        merged_logits = merged(input_ids=ids).logits
    assert torch.allclose(merged_logits, expected, atol=1e-4), (
        "the merged model's logits differ from base + adapter"
    )
    texts = make_splits(2, 3)["validation"]["text"]
    assert kata.classify(loaded, tokenizer, texts) == [
        kata.LABELS[i] for i in kata.predict(loaded, tokenizer, texts)
    ], "classify returns the label word of each prediction"


def _batch(tokenizer) -> dict[str, torch.Tensor]:
    encoded = tokenizer(["a quiet, lovely film", "dull"], return_tensors="pt", padding=True)
    return {
        **encoded,
        "labels": encoded["input_ids"].masked_fill(encoded.attention_mask == 0, -100),
    }


def _adam_bytes(numel: int) -> int:
    return 3 * 4 * numel  # fp32 gradient + exp_avg + exp_avg_sq


@pytest.mark.task("4.9")
@pytest.mark.timeout(60)
def test_training_memory_is_read_from_the_tensors(kata, small_llama, tiny_tokenizer, load_causal):
    full_model = load_causal(small_llama)
    n_full = sum(p.numel() for p in full_model.parameters())
    tensors = len(list(full_model.parameters()))
    full = kata.train_step_memory(full_model, _batch(tiny_tokenizer))
    assert _adam_bytes(n_full) <= full <= _adam_bytes(n_full) + 16 * tensors, (
        f"full fine-tuning: {full} bytes, expected about {_adam_bytes(n_full)} (gradient + two "
        "AdamW moments, 4 bytes each): count p.grad and every tensor in optimizer.state after step()"
    )
    lora_model = kata.add_lora(load_causal(small_llama), ["q_proj", "v_proj"], r=2)
    n_lora = kata.count_parameters(lora_model)[0]
    lora = kata.train_step_memory(lora_model, _batch(tiny_tokenizer))
    assert _adam_bytes(n_lora) <= lora <= _adam_bytes(n_lora) + 16 * tensors, (
        f"LoRA: {lora} bytes, expected about {_adam_bytes(n_lora)}: optimise only the "
        "parameters with requires_grad"
    )


@pytest.mark.task("4.9")
@pytest.mark.cuda
@pytest.mark.timeout(120)
def test_lora_peak_cuda_memory_is_lower(kata, zoo, load_causal, chat_tokenizer):
    def peak(model) -> int:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        batch = {k: v.cuda() for k, v in _batch(chat_tokenizer).items()}
        kata.train_step_memory(model, batch)
        return torch.cuda.max_memory_allocated()

    repo_id = zoo.repo_id("chat")
    full = peak(load_causal(repo_id).cuda())
    lora = peak(kata.add_lora(load_causal(repo_id), ["q_proj", "v_proj"]).cuda())
    assert lora < 0.5 * full, f"LoRA peak {lora} bytes vs full {full}: only adapters need state"


@pytest.mark.task("4.10")
@pytest.mark.timeout(120)
def test_qlora_trains_adapters_on_a_4bit_base(
    kata, llama_for_4bit, make_splits, load_causal, tmp_path
):
    import bitsandbytes as bnb

    model = kata.load_4bit_for_training(llama_for_4bit)
    assert any(isinstance(m, bnb.nn.Linear4bit) for m in model.modules()), (
        "no 4-bit layers: pass BitsAndBytesConfig(load_in_4bit=True, ...) as quantization_config"
    )
    fp32_total = sum(p.numel() for p in load_causal(llama_for_4bit).parameters())
    assert kata.count_parameters(model)[1] == fp32_total, (
        "a 4-bit weight packs two values per byte: count numel × 2 × element_size for Params4bit"
    )
    result = kata.train(
        llama_for_4bit,
        make_splits(16, 8),
        tmp_path,
        method="qlora",
        epochs=3,
        max_length=TINY_LENGTH,
    )
    assert len(result.history) == 3 and all(math.isfinite(h.eval_loss) for h in result.history), (
        "QLoRA training should log a finite validation loss every epoch"
    )
    assert any(isinstance(m, bnb.nn.Linear4bit) for m in result.model.modules()), (
        "method='qlora' must train on the 4-bit base from load_4bit_for_training"
    )


@pytest.mark.task("4.11")
@pytest.mark.timeout(30)
def test_loss_plot_shows_both_curves(kata, tmp_path):
    history = [kata.EpochLoss(e, 3.0 / e, 2.0 / e + 0.1) for e in (1.0, 2.0, 3.0)]
    path = tmp_path / "loss.png"
    figure = kata.plot_losses(history, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", "save the figure as a PNG at `path`"
    curves = sorted(
        [float(y) for y in line.get_ydata()] for axes in figure.axes for line in axes.get_lines()
    )
    expected = sorted([[h.train_loss for h in history], [h.eval_loss for h in history]])
    assert curves == expected, "plot one line of training loss and one of validation loss per epoch"
