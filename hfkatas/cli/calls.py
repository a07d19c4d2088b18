"""The second level of a hint: the calls the reference solution of a task makes.

The first level (the hint in kata.toml) names the concept and where to look; this one goes down to
the call, for a learner who asks (`katas hint N.M --more`), without showing the whole function.
A task's functions are those whose pristine stub carries `# TODO N.M`, in any module of the kata;
the reference's private helpers (`_name`) are looked into rather than named.
"""

from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path

from hfkatas.cli.exits import CliError
from hfkatas.cli.pristine import definition_sources, pristine_files, task_definitions
from hfkatas.course.curriculum import Kata

MAX_CALLS = 8
MAX_LENGTH = 110


def _root(node: ast.expr) -> ast.expr:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def _shorter(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_LENGTH else line[: MAX_LENGTH - 1] + "…"


def _stubs(root: Path, kata: Kata) -> dict[str, str]:
    """The kata's modules (not its tests) as shipped, by file name; the working tree's when
    git cannot say."""

    def wanted(path: Path) -> bool:
        return path.suffix == ".py" and not path.name.startswith(("test_", "conftest"))

    try:
        shipped = pristine_files(root, kata)
    except CliError:
        shipped = {path: path.read_bytes() for path in kata.folder.glob("*.py")}
    return {p.name: data.decode(errors="replace") for p, data in shipped.items() if wanted(p)}


class _Calls:
    """Collects the calls worth showing from one reference module (`given`: the names the
    stub already defines, whose private helpers are the learner's already)."""

    def __init__(self, source: str, given: set[str]) -> None:
        self.source, self.given = source, given
        self.functions = {
            node.name: node
            for node in ast.parse(source).body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        }
        self.found: list[str] = []
        self.visited: set[str] = set()

    def walk(self, name: str) -> None:
        if name in self.visited or name not in self.functions:
            return
        self.visited.add(name)
        calls = [node for node in ast.walk(self.functions[name]) if isinstance(node, ast.Call)]
        for call in sorted(calls, key=lambda node: (node.lineno, node.col_offset)):
            root = _root(call.func)
            if not isinstance(root, ast.Name):
                continue
            if isinstance(call.func, ast.Name) and root.id.startswith("_"):
                if root.id not in self.given:
                    self.walk(root.id)  # the reference's own helper: its calls, not its name
            elif isinstance(call.func, ast.Attribute) or not hasattr(builtins, root.id):
                text = _shorter(ast.get_source_segment(self.source, call) or "")
                if text and not any(text in seen for seen in self.found):
                    self.found.append(text)


def _named_in_task(kata: Kata, task_id: str) -> set[str]:
    """Names in backticks in the task's README section (`upload_model_folder`)."""
    readme = (kata.folder / "README.md").read_text(encoding="utf-8")
    start = re.search(rf"^### Task {re.escape(task_id)}\b.*$", readme, re.MULTILINE)
    if start is None:
        return set()
    rest = readme[start.end() :]
    end = re.search(r"^#{2,3} ", rest, re.MULTILINE)
    return set(re.findall(r"`(\w+)(?:\(|`)", rest[: end.start() if end else len(rest)]))


def reference_calls(root: Path, kata: Kata, task_id: str) -> list[str]:
    """The distinct calls, in order, that the reference makes for task `task_id`: in the
    functions marked `# TODO N.M` in the stub, else in those the task's text names."""
    stubs = _stubs(root, kata)
    marked = {name: task_definitions(stub, task_id) for name, stub in stubs.items()}
    if not any(marked.values()):
        named = _named_in_task(kata, task_id)
        marked = {
            name: [n for n in definition_sources(stub) if n in named]
            for name, stub in stubs.items()
        }
    found: list[str] = []
    for name, stub in sorted(stubs.items()):
        reference = kata.solution_dir("reference") / name
        wanted = marked[name]
        if not wanted or not reference.exists():
            continue
        calls = _Calls(reference.read_text(encoding="utf-8"), set(definition_sources(stub)))
        for function in wanted:
            calls.walk(function)
        found += [call for call in calls.found if call not in found]
    return found[:MAX_CALLS]
