"""Loading zoo models for tests and benchmarks: the one loader, and the catalog models a session
shares.

    load_causal_lm(repo_id)                 # a fresh fp32 causal LM in eval mode
    load_causal_lm(repo_id, "nf4")          # ... or bf16 / int8 / nf4 (bitsandbytes, CPU)
    models = ZooModels(zoo)
    tiny = models.load("tiny-causal")       # ZooModel(model, tokenizer, repo_id)

transformers is imported inside the functions: the toolkit plugin is imported before the kata
plugin has isolated the Hugging Face environment, and the libraries read it at import time.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import torch

    from hfkatas.zoo import Zoo

TINY_LLAMA, SMOLLM2, MINILM = "tiny-causal", "chat", "embed"


class ZooModel(NamedTuple):
    """A zoo model loaded for a test: the model, a tokenizer of its own and the repo id."""

    model: Any
    tokenizer: Any
    repo_id: str


def precision_settings(precision: str) -> dict[str, Any]:
    """`from_pretrained` keyword arguments for the CPU precisions the katas compare.

    Quantized models get an explicit float32 dtype for the layers they keep in full precision
    (transformers 4.57 forces float16 when a BitsAndBytesConfig comes without a dtype)."""
    import torch
    from transformers import BitsAndBytesConfig

    nf4 = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4")
    settings: dict[str, dict[str, Any]] = {
        "fp32": {"dtype": torch.float32},
        "bf16": {"dtype": torch.bfloat16},
        "int8": {
            "quantization_config": BitsAndBytesConfig(load_in_8bit=True),
            "dtype": torch.float32,
        },
        "nf4": {"quantization_config": nf4, "dtype": torch.float32},
    }
    if precision not in settings:
        raise ValueError(f"unknown precision {precision!r}: choose one of {sorted(settings)}")
    return settings[precision]


def load_causal_lm(repo_id: str, precision: str = "fp32") -> Any:
    """A fresh causal LM in `precision` ('fp32', 'bf16', 'int8' or 'nf4'), in eval mode."""
    from transformers import AutoModelForCausalLM

    settings = precision_settings(precision)
    model = AutoModelForCausalLM.from_pretrained(repo_id, **settings).eval()
    if "quantization_config" in settings:
        _detach_from_checkpoint(model)
    return model


def _detach_from_checkpoint(model: torch.nn.Module) -> None:
    """Copy the tensors a quantized model keeps unquantized (embeddings, norms, buffers).

    They are views into the memory-mapped checkpoint, which keeps every page of the file that
    quantization read resident: about 430 MB per SmolLM2 copy, for 120 MB of real tensors."""
    import torch

    with torch.no_grad():
        for tensor in (*model.parameters(), *model.buffers()):
            if type(tensor) in (torch.nn.Parameter, torch.Tensor):  # bitsandbytes' are quantized
                tensor.data = tensor.data.clone()


def _load_model(role: str, repo_id: str) -> Any:
    if role == MINILM:
        from transformers import AutoModel

        return AutoModel.from_pretrained(repo_id).eval()
    return load_causal_lm(repo_id)


def _moved(model: Any) -> bool:
    """Whether a loaded fp32 CPU model was cast or moved (e.g. `model.half()`, `.to("meta")`)."""
    import torch

    return any(p.dtype != torch.float32 or p.device.type != "cpu" for p in model.parameters())


class ZooModels:
    """The catalog models of a test session, each loaded once (float32, eval mode)."""

    def __init__(self, zoo: Zoo) -> None:
        self.zoo = zoo
        self._loaded: dict[str, tuple[Any, Any]] = {}

    def load(self, role: str) -> ZooModel:
        """The session's model of `role` back in eval mode with its generation config as
        loaded (a test or learner code may have changed them), and a fresh tokenizer. A model
        that learner code moved to another dtype or device is loaded again."""
        from transformers import AutoTokenizer

        repo_id = self.zoo.repo_id(role)
        if role in self._loaded and _moved(self._loaded[role][0]):
            del self._loaded[role]
        if role not in self._loaded:
            model = _load_model(role, repo_id)
            self._loaded[role] = (model, copy.deepcopy(getattr(model, "generation_config", None)))
        model, generation_config = self._loaded[role]
        model.eval()
        if generation_config is not None:
            model.generation_config = copy.deepcopy(generation_config)
        return ZooModel(model, AutoTokenizer.from_pretrained(repo_id), repo_id)

    def stand_in(self, role: str) -> ZooModel:
        """The model of `role` on the `meta` device as a GPU stand-in (see `stand_in`), with
        a fresh tokenizer."""
        from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer

        from hfkatas.testing.stand_in import on_a_stand_in_device

        repo_id = self.zoo.repo_id(role)
        auto = AutoModel if role == MINILM else AutoModelForCausalLM
        model = auto.from_pretrained(repo_id, device_map="meta").eval()
        return ZooModel(
            on_a_stand_in_device(model), AutoTokenizer.from_pretrained(repo_id), repo_id
        )

    def release(self) -> bool:
        """Forget the loaded models (memory); whether there were any."""
        had = bool(self._loaded)
        self._loaded.clear()
        return had
