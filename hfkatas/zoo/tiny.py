"""Tiny random models built from configs, each with a real tokenizer trained on a small corpus.

They load in milliseconds and expose the mistakes a polished real checkpoint hides: a decoder
tokenizer without a pad token, dropout that makes a forgotten `eval()` visible, and encoder /
encoder-decoder models for which the choice of Auto class matters.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hfkatas.paths import repo_root

# What each tokenizer returns: decoders and T5 take no `token_type_ids`; BERT does.
DECODER_INPUTS = ("input_ids", "attention_mask")
ENCODER_INPUTS = ("input_ids", "token_type_ids", "attention_mask")
CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}"
    "{{ eos_token }}\n{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)


def corpus() -> list[str]:
    text = (repo_root() / "fixtures" / "corpus" / "english.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def _train_bpe(vocab_size: int, special: list[str]) -> Any:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=special,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(corpus(), trainer=trainer)
    return tokenizer


def _train_wordpiece(vocab_size: int) -> Any:
    from tokenizers import (
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
        trainers,
    )

    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size, special_tokens=special, show_progress=False
    )
    tokenizer.train_from_iterator(corpus(), trainer=trainer)
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    return tokenizer


def _append_eos(tokenizer: Any, eos: str) -> None:
    from tokenizers import processors

    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"$A {eos}",
        pair=f"$A {eos} $B:1 {eos}:1",
        special_tokens=[(eos, tokenizer.token_to_id(eos))],
    )


def save_tokenizer(tokenizer: Any, folder: Path, input_names: tuple[str, ...]) -> None:
    """Save a tokenizer so that every supported transformers reads it the same way.

    `input_names` is what the tokenizer returns: written out, because 4.x's generic fast tokenizer
    otherwise adds `token_type_ids`, which a decoder's `generate` rejects. 5.x writes the class
    name `TokenizersBackend`, which 4.x does not know; `PreTrainedTokenizerFast` means the same."""
    tokenizer.model_input_names = list(input_names)
    tokenizer.save_pretrained(folder)
    config_path = folder / "tokenizer_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["model_input_names"] = list(input_names)
    if config.get("tokenizer_class") == "TokenizersBackend":
        config["tokenizer_class"] = "PreTrainedTokenizerFast"
    config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")


def _save(folder: Path, model: Any, tokenizer: Any, input_names: tuple[str, ...]) -> None:
    model.save_pretrained(folder)
    save_tokenizer(tokenizer, folder, input_names)


def build_llama(folder: Path, *, vocab_size: int, model_max_length: int, **config: Any) -> None:
    """Decoder-only (Llama-like); its tokenizer has NO pad token, padding on the right."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    raw = _train_bpe(vocab_size, ["<unk>", "<s>", "</s>"])
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw,
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        model_max_length=model_max_length,
        padding_side="right",
        chat_template=CHAT_TEMPLATE,
    )
    torch.manual_seed(0)
    model = LlamaForCausalLM(
        LlamaConfig(
            vocab_size=len(tokenizer),
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=None,
            max_position_embeddings=model_max_length,
            **config,
        )
    )
    model.generation_config.pad_token_id = None
    _save(folder, model, tokenizer, DECODER_INPUTS)


def build_gpt2(folder: Path, *, vocab_size: int, dropout: float, **config: Any) -> None:
    """Decoder-only (GPT-2-like) with dropout, so a forgotten `eval()` shows as randomness."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    raw = _train_bpe(vocab_size, ["<|endoftext|>"])
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw,
        bos_token="<|endoftext|>",
        eos_token="<|endoftext|>",
        unk_token="<|endoftext|>",
        model_max_length=config["n_positions"],
    )
    torch.manual_seed(0)
    model = GPT2LMHeadModel(
        GPT2Config(
            vocab_size=len(tokenizer),
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            resid_pdrop=dropout,
            embd_pdrop=dropout,
            attn_pdrop=dropout,
            **config,
        )
    )
    _save(folder, model, tokenizer, DECODER_INPUTS)


def build_bert(folder: Path, *, vocab_size: int, labels: list[str], **config: Any) -> None:
    """Encoder (BERT-like) with a sequence-classification head."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    raw = _train_wordpiece(vocab_size)
    tokenizer = BertTokenizerFast(
        tokenizer_object=raw, model_max_length=config["max_position_embeddings"], do_lower_case=True
    )
    torch.manual_seed(0)
    model = BertForSequenceClassification(
        BertConfig(
            vocab_size=len(tokenizer),
            pad_token_id=tokenizer.pad_token_id,
            id2label=dict(enumerate(labels)),
            label2id={label: i for i, label in enumerate(labels)},
            **config,
        )
    )
    _save(folder, model, tokenizer, ENCODER_INPUTS)


def build_t5(folder: Path, *, vocab_size: int, model_max_length: int, **config: Any) -> None:
    """Encoder-decoder (T5-like): needs AutoModelForSeq2SeqLM."""
    import torch
    from transformers import PreTrainedTokenizerFast, T5Config, T5ForConditionalGeneration

    raw = _train_bpe(vocab_size, ["<pad>", "</s>", "<unk>"])
    _append_eos(raw, "</s>")
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        model_max_length=model_max_length,
    )
    torch.manual_seed(0)
    model = T5ForConditionalGeneration(
        T5Config(
            vocab_size=len(tokenizer),
            pad_token_id=tokenizer.pad_token_id,
            eos_token_id=tokenizer.eos_token_id,
            decoder_start_token_id=tokenizer.pad_token_id,
            **config,
        )
    )
    _save(folder, model, tokenizer, DECODER_INPUTS)
