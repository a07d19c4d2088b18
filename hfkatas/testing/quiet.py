"""Known, harmless library noise, and the process-wide settings of a kata run: the one place.

- bitsandbytes logs a message about a missing optional `kernels` package when imported on a CPU,
  and "MatMul8bitLt: inputs will be cast ..." on *every* 8-bit matrix multiplication (hundreds
  per forward pass). `install_noise_filters` drops exactly those (on those loggers only; it does
  not import bitsandbytes); every other bitsandbytes message still shows.
- Importing bitsandbytes imports a deprecated part of torch (`torch.utils.mkldnn`), which emits a
  burst of DeprecationWarnings about `torch.jit.script_method`: `IGNORED_WARNINGS` (pytest
  `filterwarnings` lines, added by the toolkit plugin) and `silence_bitsandbytes_noise` drop them.
- SmolLM2's float32 forward pass produces denormal activations, which x86 CPUs handle 5-10x
  slower; `settle_process` flushes them to zero (no result the katas check changes).

The toolkit plugin (`hfkatas.testing.plugin`) applies all of it once per run.
"""

from __future__ import annotations

import logging
import warnings

# (logger name, start of the message) for each known harmless message.
KNOWN_NOISE = (
    (
        "bitsandbytes.backends.cpu.ops",
        "Failed to load CPU gemm_4bit_forward from kernels-community",
    ),
    ("bitsandbytes.autograd._functions", "MatMul8bitLt: inputs will be cast"),
)

JIT_DEPRECATION = r"`torch\.jit\.script_method` is deprecated"

# pytest `filterwarnings` lines for known, harmless warnings on a CPU and offline: torch's
# deprecation burst when bitsandbytes imports torch.utils.mkldnn; peft saving an adapter of a zoo
# model it cannot look up online; Trainer's pin_memory without an accelerator; transformers'
# deprecation of a method peft still calls; bitsandbytes' 4-bit CPU kernel without a registered
# autograd kernel (QLoRA's backward pass is still right: kata 04's tests check the adapters learn).
IGNORED_WARNINGS = (
    "ignore:`torch.jit.script_method` is deprecated:DeprecationWarning",
    "ignore:Could not find a config file in:UserWarning",
    "ignore:'pin_memory' argument is set as true but no accelerator is found:UserWarning",
    "ignore:`is_gradient_checkpointing` is deprecated:FutureWarning",
    "ignore:bitsandbytes..gemv_4bit. an autograd kernel was not registered:UserWarning",
)


class _DropKnownNoise(logging.Filter):
    """Drops records whose message starts with a known harmless prefix."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.prefix)


def install_noise_filters() -> None:
    """Drop the known messages (idempotent)."""
    for logger_name, prefix in KNOWN_NOISE:
        logger = logging.getLogger(logger_name)
        if not any(isinstance(f, _DropKnownNoise) for f in logger.filters):
            logger.addFilter(_DropKnownNoise(prefix))


def settle_process() -> None:
    """The process-wide settings of a kata run: the noise filters, denormals flushed to zero."""
    import torch

    install_noise_filters()
    torch.set_flush_denormal(True)


def silence_bitsandbytes_noise() -> None:
    """For your own scripts: hide bitsandbytes' known harmless messages, then import it with
    torch's deprecation burst ignored (idempotent)."""
    install_noise_filters()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", JIT_DEPRECATION, DeprecationWarning)
        import bitsandbytes  # noqa: F401
