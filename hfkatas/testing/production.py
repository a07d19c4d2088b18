"""Kata 06 (production), shared by its tests and its benchmark (bounded subprocess runs are
`hfkatas.testing.processes`).

- `ddp_probe_env` / `read_ddp_probe`: a tiny `sitecustomize` that records, in every torchrun
  worker, which process group it joined, how many optimizer steps it took and which files it
  saved or opened to write and which rendezvous port it was given, so a test can check "both
  ranks stepped, only rank 0 wrote, on the port asked for" from outside.
- `kv_cache_nbytes`, `adapter_shapes`: small measuring helpers.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
from pathlib import Path
from typing import Any

PROBE_ENV = "HFKATAS_DDP_PROBE"
PROBE_SITECUSTOMIZE = (
    "from hfkatas.testing.production import install_ddp_probe\ninstall_ddp_probe()\n"
)


def ddp_probe_env(folder: Path, base: dict[str, str]) -> dict[str, str]:
    """An environment whose Python processes load the probe and report into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(PROBE_SITECUSTOMIZE)
    path = os.pathsep.join(p for p in (str(folder), base.get("PYTHONPATH", "")) if p)
    return {**base, "PYTHONPATH": path, PROBE_ENV: str(folder)}


def install_ddp_probe() -> None:
    """In a torchrun worker (RANK set) with the probe enabled: record what the worker does."""
    folder = os.environ.get(PROBE_ENV)
    rank = os.environ.get("RANK")
    if not folder or rank is None:
        return
    import safetensors.torch
    import torch
    import torch.distributed as dist
    from torch.optim.optimizer import register_optimizer_step_post_hook

    record: dict[str, Any] = {
        "rank": int(rank),
        "groups": [],
        "optimizer_steps": 0,
        "saved": [],
        "master_port": os.environ.get("MASTER_PORT"),
    }

    init = dist.init_process_group

    def init_process_group(*args: Any, **kwargs: Any) -> Any:
        result = init(*args, **kwargs)
        record["groups"].append(
            {"backend": str(dist.get_backend()), "world_size": dist.get_world_size()}
        )
        return result

    def recording(save: Any) -> Any:
        def wrapper(obj: Any, target: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(target, (str, os.PathLike)):
                record["saved"].append(str(Path(target).resolve()))
            return save(obj, target, *args, **kwargs)

        return wrapper

    def count_step(*_: Any) -> None:
        record["optimizer_steps"] += 1

    def opened(event: str, args: tuple[Any, ...]) -> None:
        if (
            event == "open"
            and _opens_for_writing(*args[1:3])
            and isinstance(args[0], (str, os.PathLike))
        ):
            record["saved"].append(str(Path(args[0]).resolve()))

    dist.init_process_group = init_process_group
    sys.addaudithook(opened)  # every file a worker opens to write (json, text, weights)
    safetensors.torch.save_file = recording(safetensors.torch.save_file)
    torch.save = recording(torch.save)
    register_optimizer_step_post_hook(count_step)

    def write() -> None:
        out = Path(folder) / f"rank-{rank}-pid-{os.getpid()}.json"
        out.write_text(json.dumps(record))

    atexit.register(write)


def _opens_for_writing(mode: str | None, flags: int) -> bool:
    """Whether an `open` audit event (builtins.open: a mode; os.open: flags) writes a file."""
    if mode is not None:
        return any(letter in mode for letter in "wax+")
    return bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))


def read_ddp_probe(folder: Path) -> list[dict[str, Any]]:
    """The records of every probed worker, ordered by rank."""
    records = [json.loads(p.read_text()) for p in sorted(folder.glob("rank-*.json"))]
    return sorted(records, key=lambda r: r["rank"])


def kv_cache_nbytes(cache: Any) -> int:
    """Bytes held by the key and value tensors of a `past_key_values` cache."""
    if hasattr(cache, "layers"):
        tensors = [t for layer in cache.layers for t in (layer.keys, layer.values)]
    elif hasattr(cache, "key_cache"):
        tensors = [*cache.key_cache, *cache.value_cache]
    else:
        tensors = [t for pair in cache for t in pair]
    return sum(t.numel() * t.element_size() for t in tensors if t is not None)


def adapter_shapes(folder: Path) -> dict[str, tuple[int, ...]]:
    """Tensor name → shape of a saved peft adapter (`adapter_model.safetensors`)."""
    from safetensors import safe_open

    with safe_open(str(folder / "adapter_model.safetensors"), framework="pt") as handle:
        return {name: tuple(handle.get_slice(name).get_shape()) for name in handle.keys()}  # noqa: SIM118


def sentiment_lines(count: int) -> list[str]:
    """`count` clearly positive or negative movie-review lines (kata 04's data), each ending in
    its label: "Review: <text>\\nSentiment: positive"."""
    from hfkatas.data import movie_reviews

    rows = [row for row in movie_reviews.load_rows() if abs(row.rating) >= 1][:count]
    return [
        f"Review: {row.text}\nSentiment: {'positive' if row.rating > 0 else 'negative'}"
        for row in rows
    ]


def generation_table(results: list[tuple[bool, Any]]) -> str:
    """A markdown table of (use_cache, GenerationStats) pairs, sorted by cache then batch."""
    lines = [
        "| KV cache | batch | new tokens | first token (s) | total (s) | tokens/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for use_cache, stats in sorted(results, key=lambda r: (not r[0], r[1].batch_size)):
        lines.append(
            f"| {'on' if use_cache else 'off'} | {stats.batch_size} | {stats.new_tokens} | "
            f"{stats.time_to_first_token_s:.3f} | {stats.seconds:.2f} | "
            f"{stats.tokens_per_second:.1f} |"
        )
    return "\n".join(lines)


def plot_tokens_per_second(results: list[tuple[bool, Any]], path: Path, title: str) -> None:
    """A PNG chart of tokens per second against batch size, with and without the KV cache."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 4))
    for use_cache, label in ((True, "KV cache on"), (False, "KV cache off")):
        points = sorted((s.batch_size, s.tokens_per_second) for c, s in results if c == use_cache)
        if points:
            batches, speeds = zip(*points, strict=True)
            axes.plot(batches, speeds, marker="o", label=label)
    batches_seen = sorted({s.batch_size for _, s in results})
    axes.set_xscale("log", base=2)
    axes.set_xticks(batches_seen, [str(b) for b in batches_seen])
    axes.set_xlabel("batch size")
    axes.set_ylabel("generated tokens per second")
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
