"""Isolate a process from the learner's Hugging Face set-up before the libraries are imported.

huggingface_hub, transformers and datasets read several of these variables at import time,
so `isolate()` must run first: the plugin (`hooks.py`) calls it as the root conftest.py loads
it, the worker (`cli/worker/server.py`) and `katas setup` before they import them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# A closed loopback port: if anything slips past offline mode it fails fast, locally.
UNREACHABLE_ENDPOINT = "http://127.0.0.1:9"
HF_LIBRARIES = ("huggingface_hub", "transformers", "datasets", "peft")
LEARNER_TOKEN_VARIABLES = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_API_TOKEN")


def isolate(home: Path, *, online: bool = False) -> list[str]:
    """Point every Hugging Face library at `home/hf_home`, hide the learner's tokens, and go
    offline unless `online`. Returns the names of HF libraries that were imported too early."""
    hf_home = home / "hf_home"
    hf_home.mkdir(parents=True, exist_ok=True)
    if os.environ.get("KATAS_REAL_HUB") == "1" and os.environ.get("HF_TOKEN"):
        os.environ["KATAS_REAL_HUB_TOKEN"] = os.environ["HF_TOKEN"]  # the opt-in keeps it apart
    for name in LEARNER_TOKEN_VARIABLES:
        os.environ.pop(name, None)
    os.environ.update(
        HF_HOME=str(hf_home),
        HF_TOKEN_PATH=str(hf_home / "token"),
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DISABLE_XET="1",
        HF_HUB_DISABLE_IMPLICIT_TOKEN="1",
        HF_HUB_DISABLE_PROGRESS_BARS="1",
        HF_DATASETS_DISABLE_PROGRESS_BARS="1",
        TOKENIZERS_PARALLELISM="false",
        TRANSFORMERS_NO_ADVISORY_WARNINGS="1",
    )
    if online:
        for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
            os.environ.pop(name, None)
        os.environ.pop("HF_ENDPOINT", None)
    else:
        os.environ.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
        os.environ["HF_ENDPOINT"] = UNREACHABLE_ENDPOINT
    return [name for name in HF_LIBRARIES if name in sys.modules]
