"""Tasks 4.3–4.5: find target modules, add LoRA, count parameters exactly."""

from __future__ import annotations

import pytest

from hfkatas.testing.models import load_causal_lm

LLAMA_ATTENTION = ["k_proj", "o_proj", "q_proj", "v_proj"]
LLAMA_MLP = ["down_proj", "gate_proj", "up_proj"]


@pytest.mark.task("4.3")
@pytest.mark.timeout(30)
def test_target_modules_found_on_llama(kata, small_llama):
    model = load_causal_lm(small_llama)
    assert kata.find_target_modules(model, "attn") == LLAMA_ATTENTION, (
        "on Llama the attention's linear layers are q_proj, k_proj, v_proj, o_proj: collect the "
        "last part of the names of nn.Linear modules whose full name contains `part`, sorted"
    )
    assert kata.find_target_modules(model, "mlp") == LLAMA_MLP
    assert kata.find_target_modules(model, "") == sorted(LLAMA_ATTENTION + LLAMA_MLP), (
        "with part='' return every linear layer except the output head (lm_head)"
    )


@pytest.mark.task("4.3")
@pytest.mark.timeout(30)
def test_target_modules_found_on_gpt2(kata, zoo):
    model = load_causal_lm(zoo.repo_id("tiny-dropout"))
    assert kata.find_target_modules(model, "attn") == ["c_attn", "c_proj"], (
        "GPT-2 uses transformers' Conv1D, not nn.Linear, for its projections: inspect the model "
        "instead of hard-coding Llama names"
    )


@pytest.mark.task("4.4")
@pytest.mark.timeout(30)
def test_lora_freezes_the_base(kata, small_llama):
    from peft import PeftModel

    model = kata.add_lora(
        load_causal_lm(small_llama), ["q_proj", "v_proj"], r=4, alpha=12, dropout=0.1
    )
    assert isinstance(model, PeftModel), "return the model wrapped by get_peft_model"
    config = model.peft_config["default"]
    assert config.r == 4, f"the LoraConfig has r={config.r}, but add_lora got r=4: pass r on"
    assert config.lora_alpha == 12, (
        f"the LoraConfig has lora_alpha={config.lora_alpha}, but add_lora got alpha=12: pass "
        "alpha on as lora_alpha (it is not derived from r)"
    )
    assert config.lora_dropout == pytest.approx(0.1), (
        f"the LoraConfig has lora_dropout={config.lora_dropout}, but add_lora got dropout=0.1: "
        "pass dropout on as lora_dropout"
    )
    assert config.task_type == "CAUSAL_LM", (
        f"the LoraConfig has task_type={config.task_type!r}: set task_type=TaskType.CAUSAL_LM, "
        "so peft wraps the model as a causal LM (generate, labels) and saves that in the adapter"
    )
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable, "no parameter is trainable: the LoRA weights must be (get_peft_model)"
    base = [n for n in trainable if "lora_" not in n]
    assert not base, (
        f"{len(base)} base weights are trainable ({base[:2]}...): only LoRA weights may be "
        "trainable, the base model must stay frozen (get_peft_model freezes it: don't unfreeze "
        "it afterwards), or LoRA saves no memory"
    )
    assert {n.split(".lora_")[0].rsplit(".", 1)[-1] for n in trainable} == {"q_proj", "v_proj"}, (
        "LoRA weights should sit exactly on the target modules you passed"
    )


def _expected_lora(config, targets: list[str], r: int) -> int:
    """r × (in + out) per targeted layer, from the Llama config's sizes."""
    h, i = config.hidden_size, config.intermediate_size
    head_dim = getattr(config, "head_dim", None) or h // config.num_attention_heads
    q_out = config.num_attention_heads * head_dim
    kv_out = config.num_key_value_heads * head_dim
    sizes = {
        "q_proj": (h, q_out),
        "k_proj": (h, kv_out),
        "v_proj": (h, kv_out),
        "o_proj": (q_out, h),
        "gate_proj": (h, i),
        "up_proj": (h, i),
        "down_proj": (i, h),
    }
    return config.num_hidden_layers * sum(r * sum(sizes[t]) for t in targets)


@pytest.mark.task("4.5")
@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("r", "targets"), [(2, ["q_proj", "v_proj"]), (4, LLAMA_ATTENTION), (8, ["up_proj", "o_proj"])]
)
def test_parameter_counts_match_the_config(kata, small_llama, r, targets):
    base = load_causal_lm(small_llama)
    base_total = sum(p.numel() for p in base.parameters())
    expected = _expected_lora(base.config, targets, r)
    assert kata.lora_parameter_count(base, targets, r) == expected, (
        f"LoRA adds r × (in_features + out_features) per targeted layer: expected {expected} "
        f"for r={r} on {targets}"
    )
    trainable, total = kata.count_parameters(kata.add_lora(base, targets, r=r))
    assert trainable == expected, (
        f"{trainable} trainable parameters, expected {expected}: is the base frozen, and are "
        "the targets right?"
    )
    assert total == base_total + expected, "total = base parameters + LoRA parameters"


@pytest.mark.task("4.5")
@pytest.mark.timeout(30)
def test_parameter_count_covers_gpt2_conv1d(kata, zoo):
    model = load_causal_lm(zoo.repo_id("tiny-dropout"))
    n_embd, r = model.config.n_embd, 4
    expected = model.config.n_layer * r * (n_embd + 3 * n_embd)  # c_attn: n_embd → q, k, v
    got = kata.lora_parameter_count(model, ["c_attn"], r)
    assert got == expected, (
        f"LoRA on GPT-2's c_attn with r={r} adds {expected} parameters, you count {got}: c_attn "
        "is a Conv1D (weight stored as (in, out)), count it like a Linear layer: r × "
        "(in_features + out_features)"
    )
