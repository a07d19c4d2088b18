"""A GPU stand-in: a model on PyTorch's `meta` device that records where its inputs are.

PyTorch itself would not complain when CPU inputs meet a meta model; `check_inputs_on_the_model`
shows, on any machine, kata code that leaves its inputs on the CPU.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

STAND_IN_DEVICE = torch.device("meta")


class ReachedTheModel(BaseException):
    """Raised by a stand-in model when kata code calls it: carries the devices of its inputs.

    A BaseException, so a learner's `except Exception` cannot swallow it."""

    def __init__(self, devices: list[torch.device]) -> None:
        super().__init__(f"the model was called with inputs on {devices}")
        self.devices = devices


def on_a_stand_in_device(model: Any) -> Any:
    """`model` (loaded with `device_map="meta"`) whose `generate` and `forward` record the device
    of every tensor they get and stop there: a GPU stand-in that shows, on any machine, inputs
    left on the CPU. PyTorch itself would not complain when CPU inputs meet a meta model."""

    def stop(*args: Any, **kwargs: Any) -> Any:
        tensors = [v for v in (*args, *kwargs.values()) if isinstance(v, torch.Tensor)]
        raise ReachedTheModel([tensor.device for tensor in tensors])

    model.generate = stop
    model.forward = stop
    model.hf_device_map = {"": str(STAND_IN_DEVICE)}  # as if dispatched there by device_map=
    return model


def input_devices(call: Callable[[], object], what: str) -> list[torch.device]:
    """The devices of the tensors kata code hands a stand-in model when it runs `call`."""
    try:
        call()
    except ReachedTheModel as reached:
        return reached.devices
    raise AssertionError(f"{what} never ran the model it was given")


def check_inputs_on_the_model(call: Callable[[], object], what: str) -> None:
    """Fail, naming the fix, when `call` hands a stand-in model inputs on another device."""
    devices = input_devices(call, what)
    wrong = sorted({str(device) for device in devices if device != STAND_IN_DEVICE})
    assert devices and not wrong, (
        f"the model is on {STAND_IN_DEVICE} (the test's stand-in for a GPU) but {what} gave it "
        f"inputs on {', '.join(wrong) or 'nothing'}: move the tokenizer's output to the model's "
        "device with .to(model.device)"
    )
