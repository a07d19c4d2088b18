"""`katas doctor`: one line per thing a learner's set-up needs, each with a fix when it fails."""

from __future__ import annotations

import contextlib
import io
import logging
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import InvalidVersion, Version
from rich.markup import escape

from hfkatas.cli.course import Course
from hfkatas.cli.exits import Exit
from hfkatas.cli.output import Output
from hfkatas.setup.pypi import LOCK_FILE, locked_versions, normal_name

OK, WARN, FAIL = "ok", "warn", "FAIL"
MARKS = {OK: "[green]  ✓ [/]", WARN: "[yellow]  ! [/]", FAIL: "[red]  ✗ [/]"}
DISTRIBUTION = "hf-katas"
# Shown one line each; the other dependencies get one line together.
KEY_PACKAGES = (
    "torch",
    "transformers",
    "tokenizers",
    "peft",
    "accelerate",
    "bitsandbytes",
    "datasets",
    "huggingface_hub",
)
CPU_TORCH = "pip install torch --index-url https://download.pytorch.org/whl/cpu"
TESTED = f"pip install -c {LOCK_FILE} -e . (the exact versions CI tested)"
SETUP = "`katas setup` (once, with the network on; everything after it works offline)"
GIB = 1024**3
MIN_FREE_GIB, LOW_FREE_GIB = 1, 3


@dataclass(frozen=True)
class Finding:
    """One line of the doctor's report."""

    status: str
    subject: str
    detail: str
    fix: str = ""


def check_python() -> Finding:
    wanted = metadata.metadata(DISTRIBUTION).get("Requires-Python") or ">=3.10"
    version = ".".join(map(str, sys.version_info[:3]))
    if Version(version) in Requirement(f"python{wanted}").specifier:
        return Finding(OK, "python", f"{version} ({sys.executable})")
    return Finding(
        FAIL, "python", f"{version} is not {wanted}", f"use Python {wanted} for the venv"
    )


def _requirements() -> list[Requirement]:
    requires = metadata.requires(DISTRIBUTION) or []
    return [req for req in map(Requirement, requires) if req.marker is None]


def check_package(requirement: Requirement) -> Finding:
    """The installed version against the supported range in pyproject.toml."""
    name, wanted = requirement.name, requirement.specifier
    install = CPU_TORCH if name == "torch" else f'pip install "{name}{wanted}"'
    try:
        installed = metadata.version(name)
    except metadata.PackageNotFoundError:
        return Finding(FAIL, name, "not installed", install)
    try:
        supported = wanted.contains(Version(installed), prereleases=True)
    except InvalidVersion:
        supported = False
    if supported:
        return Finding(OK, name, installed)
    return Finding(
        FAIL,
        name,
        f"{installed} is outside the supported range {wanted}",
        f"{install}, or {TESTED}",
    )


def check_packages() -> list[Finding]:
    try:
        requirements = _requirements()
    except metadata.PackageNotFoundError:
        return [Finding(FAIL, DISTRIBUTION, "not installed", "pip install -e . (in the checkout)")]
    findings = [check_package(req) for req in requirements]
    shown = [f for f in findings if f.subject in KEY_PACKAGES or f.status != OK]
    others = len(findings) - len(shown)
    if others:
        shown.append(Finding(OK, "other dependencies", f"{others} installed in supported versions"))
    return shown


def check_tested_versions(root: Path) -> list[Finding]:
    """Key libraries installed in other versions than the lock file's (supported, not tested)."""
    locked = locked_versions(root)
    findings = []
    for name in KEY_PACKAGES:
        try:
            installed = metadata.version(name).split("+")[0]
        except metadata.PackageNotFoundError:
            continue  # already reported as not installed
        tested = locked.get(normal_name(name))
        if tested and installed != tested:
            detail = f"{installed} installed, CI tested {tested}"
            findings.append(Finding(WARN, f"{name} (tested)", detail, TESTED))
    return findings


def check_torch() -> list[Finding]:
    """The torch build (CPU or CUDA) and whether a CUDA device is usable."""
    try:
        import torch
    except ImportError:
        return []  # already reported as not installed
    cuda = torch.version.cuda
    build = Finding(OK, "torch build", f"CUDA {cuda}" if cuda else "CPU")
    if torch.cuda.is_available():
        device = Finding(OK, "CUDA device", torch.cuda.get_device_name(0))
    elif cuda:
        device = Finding(
            WARN,
            "CUDA device",
            "none visible to this CUDA build of torch",
            "check the driver with `nvidia-smi`; on a laptop without a GPU, " + CPU_TORCH,
        )
    else:
        device = Finding(
            OK, "CUDA device", "none (fine: GPU-only tasks are skipped; `nox -s cuda` on a GPU)"
        )
    return [build, device]


def _cpu_has_avx2() -> bool | None:
    try:
        return "avx2" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return None  # not Linux: cannot tell


def check_bitsandbytes() -> Finding:
    """Which native backend bitsandbytes loaded (it prints warnings while loading: kept quiet)."""
    quiet = io.StringIO()
    logging.disable(logging.WARNING)
    try:
        with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
            from bitsandbytes import cextension
    except Exception as error:
        return Finding(
            FAIL,
            "bitsandbytes backend",
            f"does not import: {error}",
            'pip install "bitsandbytes>=0.49"',
        )
    finally:
        logging.disable(logging.NOTSET)
    library = type(cextension.lib).__name__
    if "Mock" in library:
        return Finding(
            FAIL,
            "bitsandbytes backend",
            "its native library did not load",
            "pip install --force-reinstall bitsandbytes (quantization katas need it)",
        )
    backend = str(getattr(cextension, "BNB_BACKEND", "?"))
    if backend == "CPU" and _cpu_has_avx2() is False:
        return Finding(
            WARN, "bitsandbytes backend", "CPU without AVX2", "8-bit / 4-bit on CPU needs AVX2"
        )
    return Finding(OK, "bitsandbytes backend", backend)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def check_zoo(home: Path) -> list[Finding]:
    from hfkatas.setup.prepare import fetch_steps
    from hfkatas.zoo import Zoo

    status = Zoo(home).status()
    missing = [role for role, built in status.items() if not built]
    size = _size(home / "hf_home") / GIB if (home / "hf_home").exists() else 0.0
    detail = f"{len(status) - len(missing)}/{len(status)} models built, {size:.2f} GiB in {home}"
    zoo = Finding(OK, "model zoo", detail)
    if missing:
        zoo = Finding(WARN, "model zoo", f"{detail}; not built yet: {', '.join(missing)}", SETUP)
    fetched = [step.name for step in fetch_steps(home) if not step.ready()]
    if not fetched:
        return [zoo, Finding(OK, "offline set-up", "model packages and data are on disk")]
    return [zoo, Finding(WARN, "offline set-up", f"not fetched yet: {'; '.join(fetched)}", SETUP)]


def check_disk(home: Path) -> Finding:
    existing = next(p for p in (home, *home.parents) if p.exists())
    free = shutil.disk_usage(existing).free / GIB
    detail = f"{free:.1f} GiB free at {existing}"
    if free < MIN_FREE_GIB:
        return Finding(FAIL, "free disk", detail, "free some space: training checkpoints need it")
    if free < LOW_FREE_GIB:
        return Finding(
            WARN, "free disk", detail, "the training katas write checkpoints: free space"
        )
    return Finding(OK, "free disk", detail)


def check_git(root: Path) -> Finding:
    inside = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"], cwd=root, capture_output=True, check=False
    )
    if inside.returncode == 0:
        return Finding(OK, "git checkout", str(root))
    return Finding(
        WARN, "git checkout", f"{root} is not a git clone", "`katas reset` needs one: git clone it"
    )


def doctor(out: Output, course: Course, build: bool) -> Exit:
    """The `doctor` command."""
    if build:
        from hfkatas.cli.setup import setup

        setup(out, course)
    findings = [
        check_python(),
        *check_packages(),
        *check_tested_versions(course.root),
        *check_torch(),
        check_bitsandbytes(),
        *check_zoo(course.home),
        check_disk(course.home),
        check_git(course.root),
    ]
    width = max(len(f.subject) for f in findings)
    for finding in findings:
        mark = f"{finding.status:<4}" if out.plain else MARKS[finding.status]
        out.print(f"{mark}  {escape(finding.subject.ljust(width))}  {escape(finding.detail)}")
        if finding.fix:
            out.print(f"{'':4}  [bold]fix:[/] {escape(finding.fix)}")
    failed = any(f.status == FAIL for f in findings)
    out.print("Something needs fixing: see the lines above." if failed else "All good.")
    return Exit.NOT_YET if failed else Exit.OK
