"""Known, harmless library noise, dropped so learners see their own results.

bitsandbytes logs a message about a missing optional `kernels` package when imported on a CPU,
and "MatMul8bitLt: inputs will be cast ..." on *every* 8-bit matrix multiplication (hundreds per
forward pass). The filters sit on those loggers only and drop only those messages; installing
them does not import bitsandbytes.
"""

from __future__ import annotations

import logging

# (logger name, start of the message) for each known harmless message.
KNOWN_NOISE = (
    (
        "bitsandbytes.backends.cpu.ops",
        "Failed to load CPU gemm_4bit_forward from kernels-community",
    ),
    ("bitsandbytes.autograd._functions", "MatMul8bitLt: inputs will be cast"),
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
