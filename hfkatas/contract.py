"""Static checks every kata must pass (used by `tests/test_kata_contract.py` and `katas doctor`)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from types import ModuleType

from hfkatas.curriculum import Kata
from hfkatas.solutions import load_solution
from hfkatas.variants import ALTERNATIVE, MISTAKE, VariantError, load_variants, materialize


def public_api(module: ModuleType) -> dict[str, str]:
    """Public functions and classes defined in `module`, with their signatures (and methods')."""
    api: dict[str, str] = {}
    for name, value in vars(module).items():
        if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(value):
            api[name] = str(inspect.signature(value))
        elif inspect.isclass(value):
            api[name] = "class"
            for attr, member in vars(value).items():
                if inspect.isfunction(member) and (not attr.startswith("_") or attr == "__init__"):
                    api[f"{name}.{attr}"] = str(inspect.signature(member))
    return api


def signature_mismatches(kata: Kata) -> list[str]:
    """Differences between the stub's and the reference's public names and signatures."""
    stub, reference = (
        public_api(load_solution(kata, "learner")),
        public_api(load_solution(kata, "reference")),
    )
    problems = [
        f"{name} is in the stub but not in the reference" for name in stub.keys() - reference
    ]
    problems += [
        f"{name} is in the reference but not in the stub" for name in reference.keys() - stub
    ]
    problems += [
        f"{name}: stub {stub[name]} != reference {reference[name]}"
        for name in stub.keys() & reference
        if stub[name] != reference[name]
    ]
    return sorted(problems)


def unfinished_stub_problems(kata: Kata) -> list[str]:
    """Public stub functions must raise NotImplementedError, and the file must hold TODO markers."""
    path = kata.module_path("learner")
    source = path.read_text(encoding="utf-8")
    problems = [] if "TODO" in source else [f"{path.name} has no `TODO` marker"]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            raises = any(
                isinstance(child, ast.Raise) and "NotImplementedError" in ast.unparse(child)
                for child in ast.walk(node)
            )
            if not raises:
                problems.append(f"stub {node.name}() does not raise NotImplementedError")
    return problems


def _task_of(decorators: list[ast.expr]) -> str | None:
    for decorator in decorators:
        text = ast.unparse(decorator)
        if text.startswith("pytest.mark.task(") and isinstance(decorator, ast.Call):
            argument = decorator.args[0] if decorator.args else None
            if isinstance(argument, ast.Constant):
                return str(argument.value)
    return None


def tests_by_task(test_file: Path) -> dict[str, str | None]:
    """Each test function of a file → the task its `@pytest.mark.task` names (None if absent)."""
    tree = ast.parse(test_file.read_text(encoding="utf-8"))
    found: dict[str, str | None] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            class_task = _task_of(node.decorator_list)
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name.startswith("test"):
                    found[f"{node.name}.{item.name}"] = _task_of(item.decorator_list) or class_task
        elif isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            found[node.name] = _task_of(node.decorator_list)
    return found


def task_marker_problems(kata: Kata) -> list[str]:
    """Every test names an existing task of its kata, and every task has at least one test."""
    task_ids = {task.id for task in kata.tasks}
    tested: set[str] = set()
    problems = []
    for test_file in sorted(kata.kata_dir.glob("test_*.py")):
        for test, task in tests_by_task(test_file).items():
            if task is None:
                problems.append(f"{test_file.name}::{test} has no @pytest.mark.task(...)")
            elif task not in task_ids:
                problems.append(f"{test_file.name}::{test} names task {task}, not in the README")
            else:
                tested.add(task)
    problems += [f"task {task} has no test" for task in sorted(task_ids - tested)]
    return problems


def readme_problems(kata: Kata) -> list[str]:
    """Title, time, tasks numbered after the kata, and a hint for every task."""
    problems = [] if kata.title else ["README.md has no `# Title` line"]
    if not kata.minutes:
        problems.append("README.md has no `Time: about N minutes` line")
    if not kata.tasks:
        problems.append("README.md has no `### Task N.M · Title` headings under `## Tasks`")
    for task in kata.tasks:
        if not task.id.startswith(f"{kata.number}."):
            problems.append(f"task {task.id} should be numbered {kata.number}.N")
        if not task.hint:
            problems.append(f"task {task.id} has no hint (<details><summary>Hint</summary>)")
    return problems


MIN_MISTAKES, MIN_ALTERNATIVES = 8, 3
MISTAKES_HEADING = "## Mistakes these tests catch"


def variant_problems(kata: Kata, scratch: Path) -> list[str]:
    """The kata ships enough mistakes and alternatives, each applies to the current reference,
    and the README lists every mistake (its `learner` text) under MISTAKES_HEADING."""
    try:
        variants = load_variants(kata)
        for variant in variants:
            materialize(variant, kata, scratch)
    except VariantError as error:
        return [str(error)]
    mistakes = [v for v in variants if v.kind == MISTAKE]
    alternatives = [v for v in variants if v.kind == ALTERNATIVE]
    problems = []
    if len(mistakes) < MIN_MISTAKES:
        problems.append(f"ships {len(mistakes)} mistakes in variants.toml; at least {MIN_MISTAKES}")
    if len(alternatives) < MIN_ALTERNATIVES:
        problems.append(
            f"ships {len(alternatives)} correct alternatives; at least {MIN_ALTERNATIVES}"
        )
    readme = (kata.kata_dir / "README.md").read_text(encoding="utf-8")
    _, found, section = readme.partition(MISTAKES_HEADING)
    if not found:
        return [*problems, f"README.md has no `{MISTAKES_HEADING}` section"]
    listed = " ".join(section.split("\n## ", 1)[0].split())
    problems += [
        f"README.md does not list mistake {m.id!r}: {m.learner!r}"
        for m in mistakes
        if m.learner not in listed
    ]
    return problems
