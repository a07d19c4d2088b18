"""Static checks every kata must pass (used by `tests/test_kata_contract.py` and `katas doctor`)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from hfkatas.course.curriculum import FLAGS, TODO_MARKER, Kata
from hfkatas.course.variants import ALTERNATIVE, MISTAKE, VariantError, load_variants, materialize

TASK_HEADING = re.compile(r"^### Task (\d+\.\d+)\s*[·:—–-]\s*(.+?)\s*$", re.MULTILINE)
TITLE_LINE = re.compile(r"^# (.+)$", re.MULTILINE)
TIME_LINE = re.compile(r"^Time: about (\d+) minutes", re.MULTILINE)


def public_api(source: str) -> dict[str, str]:
    """Public functions and classes of a module's source, with their signatures (and methods')."""
    api: dict[str, str] = {}
    for node in ast.parse(source).body:
        if node_name(node).startswith("_"):
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            api[node.name] = _signature(node)
        elif isinstance(node, ast.ClassDef):
            api[node.name] = "class"
            for member in node.body:
                if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                    not member.name.startswith("_") or member.name == "__init__"
                ):
                    api[f"{node.name}.{member.name}"] = _signature(member)
    return api


def node_name(node: ast.stmt) -> str:
    return getattr(node, "name", "_")


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    return f"({ast.unparse(node.args)}){returns}"


def _sources(kata: Kata, solutions: str) -> dict[str, str]:
    """Each solution file's source (missing files are left out: see `solution_file_problems`)."""
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in kata.solution_paths(solutions)
        if path.exists()
    }


def solution_file_problems(kata: Kata) -> list[str]:
    """Every file the manifest lists exists as a stub and as a reference."""
    return [
        f"{path.relative_to(kata.root)} is listed in kata.toml but missing"
        for solutions in ("learner", "reference")
        for path in kata.solution_paths(solutions)
        if not path.exists()
    ]


def signature_mismatches(kata: Kata) -> list[str]:
    """Differences between the stubs' and the references' public names and signatures."""
    stubs, references = _sources(kata, "learner"), _sources(kata, "reference")
    problems = []
    for name in stubs.keys() & references.keys():
        stub, reference = public_api(stubs[name]), public_api(references[name])
        problems += [
            f"{name}: {n} is in the stub but not in the reference" for n in stub.keys() - reference
        ]
        problems += [
            f"{name}: {n} is in the reference but not in the stub" for n in reference.keys() - stub
        ]
        problems += [
            f"{name}: {n}: stub {stub[n]} != reference {reference[n]}"
            for n in stub.keys() & reference
            if stub[n] != reference[n]
        ]
    return sorted(problems)


def _contract_texts(source: str) -> dict[str, str]:
    """What a learner reads as the contract: the module's and each public definition's
    docstring, and the value of each module-level UPPER_CASE constant."""
    tree = ast.parse(source)
    texts = {"module docstring": ast.get_docstring(tree) or ""}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if not node.name.startswith("_"):
                texts[f"{node.name} docstring"] = ast.get_docstring(node) or ""
            if isinstance(node, ast.ClassDef):
                texts.update(
                    (f"{node.name}.{m.name} docstring", ast.get_docstring(m) or "")
                    for m in node.body
                    if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and (not m.name.startswith("_") or m.name == "__init__")
                )
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and target.id.isupper() and node.value is not None:
                texts[f"constant {target.id}"] = ast.unparse(node.value)
    return texts


def docstring_drift(kata: Kata) -> list[str]:
    """Stub and reference carry the same docstrings and constants, so a solution diff shows code."""
    stubs, references = _sources(kata, "learner"), _sources(kata, "reference")
    problems = []
    for name in sorted(stubs.keys() & references.keys()):
        stub, reference = _contract_texts(stubs[name]), _contract_texts(references[name])
        problems += [
            f"{name}: the {what} differs between stub and reference"
            for what in sorted(stub.keys() & reference.keys())
            if what != "module docstring" and stub[what] != reference[what]
        ]
        problems += [
            f"{name}: {what} is in the stub but not in the reference"
            for what in sorted(stub.keys() - reference.keys())
            if what.startswith("constant")
        ]
    return problems


def _imported_names(source: str) -> set[str]:
    """The names a module's top-level imports bind (`from __future__` aside)."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            names.update(a.asname or a.name for a in node.names)
    return names


def missing_stub_imports(kata: Kata) -> list[str]:
    """Every name the reference imports is imported by the stub too: the learner starts with
    what the kata needs, as in kata 01."""
    stubs, references = _sources(kata, "learner"), _sources(kata, "reference")
    return [
        f"{name}: the reference imports {missing} but the stub does not"
        for name in sorted(stubs.keys() & references.keys())
        for missing in sorted(_imported_names(references[name]) - _imported_names(stubs[name]))
    ]


def unfinished_stub_problems(kata: Kata) -> list[str]:
    """Public stub functions raise NotImplementedError, and each task's `# TODO N.M` marker sits
    in the file its manifest entry names (and no marker names a task the manifest lacks)."""
    problems = []
    markers: dict[str, set[str]] = {}
    for name, source in _sources(kata, "learner").items():
        for task_id in TODO_MARKER.findall(source):
            markers.setdefault(task_id, set()).add(name)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                raises = any(
                    isinstance(child, ast.Raise) and "NotImplementedError" in ast.unparse(child)
                    for child in ast.walk(node)
                )
                if not raises and name == f"{kata.main_module}.py":
                    problems.append(f"stub {node.name}() does not raise NotImplementedError")
    for task in kata.tasks:
        if task.file not in markers.get(task.id, set()):
            problems.append(
                f"{task.file} has no `# TODO {task.id}` marker (kata.toml puts the task there)"
            )
    known = {task.id for task in kata.tasks}
    problems += [
        f"`# TODO {t}` names a task that kata.toml lacks" for t in sorted(markers.keys() - known)
    ]
    return problems


def _task_of(decorators: list[ast.expr]) -> str | None:
    for decorator in decorators:
        text = ast.unparse(decorator)
        if text.startswith("pytest.mark.task(") and isinstance(decorator, ast.Call):
            argument = decorator.args[0] if decorator.args else None
            if isinstance(argument, ast.Constant):
                return str(argument.value)
    return None


def _flags_of(decorators: list[ast.expr]) -> set[str]:
    return {flag for flag in FLAGS for d in decorators if ast.unparse(d) == f"pytest.mark.{flag}"}


def tests_by_task(test_file: Path) -> dict[str, tuple[str | None, set[str]]]:
    """Each test function of a file → the task its `@pytest.mark.task` names (None if absent)
    and its flag markers (`cuda`, `slow`)."""
    tree = ast.parse(test_file.read_text(encoding="utf-8"))
    found: dict[str, tuple[str | None, set[str]]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            class_task, class_flags = _task_of(node.decorator_list), _flags_of(node.decorator_list)
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name.startswith("test"):
                    found[f"{node.name}.{item.name}"] = (
                        _task_of(item.decorator_list) or class_task,
                        class_flags | _flags_of(item.decorator_list),
                    )
        elif isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            found[node.name] = (_task_of(node.decorator_list), _flags_of(node.decorator_list))
    return found


def task_marker_problems(kata: Kata) -> list[str]:
    """Every test names a task of kata.toml, every task has a test, and a task's `flags` are
    exactly the markers (`cuda`, `slow`) its tests carry."""
    tasks = {task.id: task for task in kata.tasks}
    flags: dict[str, set[str]] = {}
    problems = []
    for test_file in sorted(kata.folder.glob("test_*.py")):
        for test, (task, marks) in tests_by_task(test_file).items():
            if task is None:
                problems.append(f"{test_file.name}::{test} has no @pytest.mark.task(...)")
            elif task not in tasks:
                problems.append(f"{test_file.name}::{test} names task {task}, not in kata.toml")
            else:
                flags.setdefault(task, set()).update(marks)
    problems += [f"task {task} has no test" for task in sorted(tasks.keys() - flags.keys())]
    problems += [
        f"task {task_id}: kata.toml says flags = {sorted(task.flags)}, its tests are marked "
        f"{sorted(flags[task_id])}"
        for task_id, task in tasks.items()
        if task_id in flags and set(task.flags) != flags[task_id]
    ]
    return problems


def readme_problems(kata: Kata) -> list[str]:
    """The README agrees with kata.toml: title, time, and one `### Task N.M · Title` heading per
    task, in order; every task is numbered after its kata and has a hint."""
    problems = []
    readme = (kata.folder / "README.md").read_text(encoding="utf-8")
    title, time = TITLE_LINE.search(readme), TIME_LINE.search(readme)
    if not title or title.group(1).strip() != kata.title:
        problems.append(f"README.md's first heading should be `# {kata.title}` (kata.toml)")
    if not time or int(time.group(1)) != kata.minutes:
        problems.append(f"README.md should say `Time: about {kata.minutes} minutes` (kata.toml)")
    headings = [(m.group(1), m.group(2)) for m in TASK_HEADING.finditer(readme)]
    expected = [(task.id, task.title) for task in kata.tasks]
    if headings != expected:
        problems.append(
            "README.md's task headings differ from kata.toml: expected "
            + ", ".join(f"`### Task {i} · {t}`" for i, t in expected)
            + " in that order"
        )
    if not kata.tasks:
        problems.append("kata.toml has no [[task]]")
    for task in kata.tasks:
        if not task.id.startswith(f"{kata.number}."):
            problems.append(f"task {task.id} should be numbered {kata.number}.N")
        if not task.hint:
            problems.append(f"task {task.id} has no `hint` in kata.toml")
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
    tests: dict[str, set[str]] = {}
    for test_file in kata.folder.glob("test_*.py"):
        for name, (task, _) in tests_by_task(test_file).items():
            tests.setdefault(task or "", set()).add(name.rpartition(".")[2])
    problems = [
        f"{variant.label} names test {name!r}, which is no test of task {', '.join(variant.tasks)}"
        for variant in variants
        for name in variant.tests
        if not any(name in tests.get(task, set()) for task in variant.tasks)
    ]
    if len(mistakes) < MIN_MISTAKES:
        problems.append(f"ships {len(mistakes)} mistakes in variants.toml; at least {MIN_MISTAKES}")
    if len(alternatives) < MIN_ALTERNATIVES:
        problems.append(
            f"ships {len(alternatives)} correct alternatives; at least {MIN_ALTERNATIVES}"
        )
    readme = (kata.folder / "README.md").read_text(encoding="utf-8")
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
