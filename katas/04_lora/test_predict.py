"""Task 4.12: predict.py, the command-line inference entry point (base + adapter → labels)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
import torch

from hfkatas.testing.models import load_causal_lm
from hfkatas.testing.processes import run_process_group

SCRIPT_LIMIT_S = 90
# Runs predict.py as `python predict.py ...` would, counting every model load on the way.
COUNTING_RUNNER = """
import os, runpy, sys
import transformers
loads = []
original = transformers.PreTrainedModel.from_pretrained.__func__
def counted(cls, *args, **kwargs):
    loads.append(cls.__name__)
    return original(cls, *args, **kwargs)
transformers.PreTrainedModel.from_pretrained = classmethod(counted)
script = os.path.abspath(sys.argv[1])
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(script))
try:
    runpy.run_path(script, run_name="__main__")
finally:
    print(f"model loads: {len(loads)}", file=sys.stderr)
"""
LOADS = re.compile(r"^model loads: (\d+)$", re.MULTILINE)


def _save_adapter(repo_id: str, folder: Path) -> None:
    """A LoRA adapter with non-zero B matrices (so it changes predictions), saved to `folder`."""
    from peft import LoraConfig, TaskType, get_peft_model

    config = LoraConfig(r=4, target_modules=["q_proj", "v_proj"], task_type=TaskType.CAUSAL_LM)
    model = get_peft_model(load_causal_lm(repo_id), config)
    torch.manual_seed(2)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0, 0.5)
    model.save_pretrained(folder)


def _run_script(kata_dir: Path, args: list[str], stdin: str = "") -> list[str]:
    """Run predict.py with `args`, return its output lines; fail with its last lines of errors,
    or if it loaded a model more than once."""
    done = run_process_group(
        [sys.executable, "-c", COUNTING_RUNNER, str(kata_dir / "predict.py"), *args],
        timeout_s=SCRIPT_LIMIT_S,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        cwd=kata_dir,
        stdin=stdin,
        errors_apart=True,
    )
    if done.timed_out:
        pytest.fail(f"predict.py did not finish in {SCRIPT_LIMIT_S} s: load the model only once")
    errors = "\n".join(done.errors.strip().splitlines()[-8:])
    assert "NotImplementedError" not in done.errors, (
        "predict.py: main() is not implemented yet: read the reviews, call load_finetuned and "
        "classify, print one label per line"
    )
    assert done.code == 0, f"predict.py failed (exit {done.code}):\n{errors}"
    loads = [int(n) for n in LOADS.findall(done.errors)]
    reviews = len(args) - 4 or len([line for line in stdin.splitlines() if line.strip()])
    assert loads and loads[-1] <= 1, (
        f"predict.py loaded a model {loads[-1] if loads else '?'} times for {reviews} reviews: "
        "load base + adapter once (load_finetuned), then classify every review with it"
    )
    return done.output.splitlines()


@pytest.mark.task("4.12")
@pytest.mark.timeout(2 * SCRIPT_LIMIT_S + 60)
def test_predict_script_prints_one_label_per_review(kata, kata_dir, zoo, make_splits, tmp_path):
    repo_id, adapter = zoo.repo_id("tiny-causal"), tmp_path / "adapter"
    _save_adapter(repo_id, adapter)
    reviews = make_splits(2, 5)["validation"]["text"]
    expected = kata.classify(*kata.load_finetuned(repo_id, adapter), reviews)

    base_args = ["--base", repo_id, "--adapter", str(adapter)]
    from_args = _run_script(kata_dir, [*base_args, *reviews[:2]])
    assert from_args == expected[:2], (
        f"predict.py printed {from_args} for 2 reviews given as arguments, expected {expected[:2]}"
        " (classify's labels): print only the labels, one per line, in order"
    )
    from_stdin = _run_script(kata_dir, base_args, stdin="\n".join(["", *reviews[2:], ""]))
    assert from_stdin == expected[2:], (
        f"predict.py printed {from_stdin} for 3 reviews on standard input, expected {expected[2:]}"
        ": with no review arguments read the non-empty lines of sys.stdin"
    )
