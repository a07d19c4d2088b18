"""Tasks 6.7–6.8: LoRA fine-tuning with Trainer, then the same run data-parallel on 2 processes."""

from __future__ import annotations

import json
import os
import statistics
from pathlib import Path
from typing import Any

import pytest
import torch

from hfkatas.testing.models import load_causal_lm
from hfkatas.testing.processes import free_port, run_process_group
from hfkatas.testing.production import adapter_shapes, ddp_probe_env, read_ddp_probe

STEPS = 10  # not the default of train_lora / train_ddp.py (12): max_steps must be passed on
RUN_LIMIT_S = 180
PORT_ATTEMPTS = 2


def check_falling(losses: Any, steps: int) -> None:
    assert isinstance(losses, list) and len(losses) == steps, (
        f"expected a list with the loss of each of the {steps} steps (max_steps={steps} passed "
        f"on, logging_steps=1), got {losses!r}"
    )
    start, end = statistics.mean(losses[:3]), statistics.mean(losses[-3:])
    assert end < start, (
        f"the loss did not go down (first steps {start:.3f}, last steps {end:.3f}): train the "
        "LoRA weights (check the learning rate and that labels are the input ids)"
    )


def check_adapter(output_dir: Path, repo_id: str) -> None:
    """The adapter saved in `output_dir` has LoRA matrices shaped for the base model."""
    found = sorted(p.parent for p in output_dir.rglob("adapter_config.json"))
    assert found == [output_dir], (
        f"expected exactly one adapter, saved in {output_dir}; found adapters in {found}: "
        "save once, with trainer.save_model(output_dir), which only the main process does"
    )
    rank = json.loads((output_dir / "adapter_config.json").read_text())["r"]
    shapes = adapter_shapes(output_dir)
    base = dict(load_causal_lm(repo_id).named_modules())
    lora = {name: shape for name, shape in shapes.items() if ".lora_" in name}
    assert lora, f"the saved adapter holds no LoRA weights, only {sorted(shapes)}"
    for name, shape in lora.items():
        module = base[name.split(".lora_")[0].removeprefix("base_model.model.")]
        want = (rank, module.in_features) if ".lora_A" in name else (module.out_features, rank)
        assert shape == want, f"{name} has shape {shape}, expected {want} for r={rank}"


@pytest.mark.task("6.7")
@pytest.mark.timeout(120)
def test_lora_training_lowers_the_loss_and_saves_one_adapter(
    kata: Any, zoo: Any, tmp_path: Path, show: Any
) -> None:
    repo_id = zoo.repo_id("tiny-causal")
    losses = kata.train_lora(repo_id, tmp_path / "adapter", max_steps=STEPS)
    check_falling(losses, STEPS)
    check_adapter(tmp_path / "adapter", repo_id)
    show("loss per step", losses)


@pytest.mark.task("6.8")
@pytest.mark.timeout(10)
def test_torchrun_command_refuses_no_processes(kata: Any, expect_error: Any) -> None:
    expect_error(
        ValueError,
        lambda: kata.torchrun_command("train_ddp.py", nproc_per_node=0, master_port=29500),
        "nproc_per_node=0 starts no process: check it is at least 1 and raise a ValueError",
    )


def _inside(path: str, folder: Path) -> bool:
    return Path(path).is_relative_to(folder)


def run_data_parallel(
    kata: Any, kata_dir: Path, repo_id: str, tmp_path: Path, processes: int
) -> list[dict[str, Any]]:
    """Launch the learner's train_ddp.py with their torchrun command; return the probe records."""
    for attempt in range(PORT_ATTEMPTS):  # another program may take the free port meanwhile
        folder = tmp_path / f"attempt-{attempt}"
        output_dir, probe = folder / "adapter", folder / "probe"
        port = free_port()
        command = kata.torchrun_command(
            kata_dir / "train_ddp.py",
            nproc_per_node=processes,
            master_port=port,
            script_args=[
                "--model-id",
                repo_id,
                "--output-dir",
                str(output_dir),
                "--max-steps",
                str(STEPS),
            ],
        )
        assert isinstance(command, list) and all(isinstance(part, str) for part in command), (
            f"torchrun_command should return the command as a list of strings, got {command!r}"
        )
        env = ddp_probe_env(probe, {**os.environ, "OMP_NUM_THREADS": "1"})
        result = run_process_group(command, timeout_s=RUN_LIMIT_S, env=env, cwd=kata_dir)
        if not result.port_was_taken:
            break
    assert not result.timed_out, (
        f"the {processes}-process run did not finish in {RUN_LIMIT_S} s and was stopped. "
        f"Its output:\n{result.excerpt()}"
    )
    assert result.code == 0, (
        f"the {processes}-process run failed (exit {result.code}). Its output:\n{result.excerpt()}"
    )
    records = read_ddp_probe(probe)
    ranks = [record["rank"] for record in records]
    assert ranks == list(range(processes)), (
        f"expected {processes} workers (ranks 0..{processes - 1}), saw ranks {ranks}: pass "
        f"--nproc_per_node={processes} to torchrun"
    )
    for record in records:
        sizes = [group["world_size"] for group in record["groups"]]
        assert sizes == [processes], (
            f"rank {record['rank']} should join one process group of {processes}, joined "
            f"{sizes}: let Trainer (accelerate) set it up, don't train alone on each rank"
        )
        assert record["optimizer_steps"] == STEPS, (
            f"rank {record['rank']} took {record['optimizer_steps']} optimizer steps, expected "
            f"{STEPS}: pass --max-steps on to train_lora; in data-parallel training every rank "
            "takes every step"
        )
    ports = sorted({str(record["master_port"]) for record in records})
    script = next((i for i, part in enumerate(command) if part.endswith("train_ddp.py")), None)
    rendezvous = " ".join(command[:script])  # a c10d --rdzv-endpoint gives workers another port
    assert ports == [str(port)] or f":{port}" in rendezvous, (
        f"the workers met on port {', '.join(ports)}, not on master_port={port}: pass the port "
        "you are given on to torchrun (--master_port or --rdzv-endpoint); another run may be "
        "using the default one"
    )
    outputs = output_dir.resolve()
    for record in records[1:]:
        written = sorted(
            {
                Path(p).relative_to(outputs).as_posix()
                for p in record["saved"]
                if _inside(p, outputs)
            }
        )
        assert not written, (
            f"rank {record['rank']} also wrote {written} into the output folder: only the main "
            "process (rank 0) writes the outputs, check RANK (or let trainer.save_model decide)"
        )
    check_adapter(output_dir, repo_id)
    losses_file = output_dir / "losses.json"
    assert losses_file.is_file(), "train_ddp.py should write the losses to <output-dir>/losses.json"
    check_falling(json.loads(losses_file.read_text()), STEPS)
    return records


@pytest.mark.task("6.8")
@pytest.mark.slow
@pytest.mark.timeout(RUN_LIMIT_S + 60)
def test_lora_training_runs_data_parallel_on_two_processes(
    kata: Any, kata_dir: Path, zoo: Any, tmp_path: Path
) -> None:
    records = run_data_parallel(kata, kata_dir, zoo.repo_id("tiny-causal"), tmp_path, 2)
    backends = {group["backend"] for record in records for group in record["groups"]}
    if not torch.cuda.is_available():
        assert backends == {"gloo"}, f"on CPU the process group uses gloo, got {backends}"


@pytest.mark.task("6.8")
@pytest.mark.cuda
@pytest.mark.slow
@pytest.mark.timeout(RUN_LIMIT_S + 60)
def test_lora_training_runs_data_parallel_on_every_gpu(
    kata: Any, kata_dir: Path, zoo: Any, tmp_path: Path
) -> None:
    gpus = torch.cuda.device_count()
    if gpus < 2:
        pytest.skip(f"data-parallel over GPUs needs 2 or more, this machine has {gpus}")
    records = run_data_parallel(kata, kata_dir, zoo.repo_id("tiny-causal"), tmp_path, gpus)
    backends = {group["backend"] for record in records for group in record["groups"]}
    assert backends == {"nccl"}, f"on GPUs the process group uses NCCL, got {backends}"
