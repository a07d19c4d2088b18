"""Shipped learner mistakes and correct alternatives: small edits of a kata's reference solution.

`reference/NN_topic/variants.toml` lists them (format: docs/authoring.md). Under `--dev-check`
the plugin runs the tests of each variant's tasks against an edited copy of the reference: a
mistake must make at least one test fail with a message matching its `message`; an alternative
must pass every test of its tasks.
"""

from __future__ import annotations

import ast
import re
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import tomllib

from hfkatas.course.curriculum import Kata

MISTAKE = "mistake"
ALTERNATIVE = "alternative"
KINDS = (MISTAKE, ALTERNATIVE)
VARIANTS_FILE = "variants.toml"
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class VariantError(ValueError):
    """variants.toml is malformed, or an edit no longer applies to the reference."""


@dataclass(frozen=True)
class Edit:
    """Replace `find` by `replace`, or the whole def named `function` by `code`, in `file`."""

    file: str
    find: str | None = None
    replace: str = ""
    function: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class Variant:
    """One shipped mistake or correct alternative of a kata."""

    kind: str
    kata: str
    id: str
    tasks: tuple[str, ...]
    learner: str
    message: str
    edits: tuple[Edit, ...]
    tests: tuple[str, ...] = ()

    def runs_with(self, task_id: str, test_name: str) -> bool:
        """Whether the test function `test_name` of task `task_id` runs with this variant."""
        return task_id in self.tasks and (not self.tests or test_name in self.tests)

    @property
    def key(self) -> str:
        """`mistake-pad-token-not-set`: unique within a kata, used in test ids."""
        return f"{self.kind}-{self.id}"

    @property
    def label(self) -> str:
        return f"{self.kata} {self.kind} {self.id!r}"


def variants_path(kata: Kata) -> Path:
    return kata.solution_dir("reference") / VARIANTS_FILE


def load_variants(kata: Kata) -> list[Variant]:
    """The kata's variants (none when it has no variants.toml); VariantError if malformed."""
    path = variants_path(kata)
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise VariantError(f"{_shown(path, kata)} is not valid TOML: {error}") from None
    unknown = set(data) - set(KINDS)
    if unknown:
        raise VariantError(
            f"{_shown(path, kata)}: unknown table(s) {sorted(unknown)}; use [[mistake]] or "
            "[[alternative]]"
        )
    variants = [_variant(kind, entry, kata, path) for kind in KINDS for entry in data.get(kind, [])]
    seen: set[str] = set()
    for variant in variants:
        if variant.key in seen:
            raise VariantError(
                f"{_shown(path, kata)}: {variant.kind} id {variant.id!r} is used twice"
            )
        seen.add(variant.key)
    return variants


def _variant(kind: str, entry: object, kata: Kata, path: Path) -> Variant:
    where = f"{_shown(path, kata)} [[{kind}]]"
    if not isinstance(entry, dict):
        raise VariantError(f"{where}: each entry must be a table")
    ident = entry.get("id")
    if not isinstance(ident, str) or not ID_PATTERN.match(ident):
        raise VariantError(f"{where}: `id` must be kebab-case text, got {ident!r}")
    where = f"{where} {ident!r}"
    tasks = entry.get("tasks")
    if not tasks or not isinstance(tasks, list) or not all(isinstance(t, str) for t in tasks):
        raise VariantError(f'{where}: `tasks` must be a list of task ids such as ["1.4"]')
    known = {task.id for task in kata.tasks}
    if missing := [task for task in tasks if task not in known]:
        raise VariantError(f"{where}: no task {', '.join(missing)} in the kata README")
    learner = entry.get("learner")
    if not isinstance(learner, str) or not learner.strip():
        raise VariantError(f"{where}: `learner` must say, in one line, what the learner did")
    message = entry.get("message", "")
    if kind == MISTAKE:
        if not isinstance(message, str) or not message.strip():
            raise VariantError(f"{where}: `message` must be the words the learner must see")
        try:
            re.compile(message)
        except re.error as error:
            raise VariantError(f"{where}: `message` is not a valid regex: {error}") from None
    tests = entry.get("tests", [])
    if not isinstance(tests, list) or not all(isinstance(t, str) for t in tests):
        raise VariantError(
            f'{where}: `tests` (optional) lists test function names, e.g. ["test_x"]'
        )
    edits = entry.get("edit")
    if not edits or not isinstance(edits, list):
        raise VariantError(f"{where}: add at least one [[{kind}.edit]] table")
    return Variant(
        kind,
        kata.slug,
        ident,
        tuple(tasks),
        " ".join(learner.split()),
        message,
        tuple(_edit(edit, kata, where) for edit in edits),
        tuple(tests),
    )


def _edit(edit: object, kata: Kata, where: str) -> Edit:
    if not isinstance(edit, dict):
        raise VariantError(f"{where}: each edit must be a table")
    file = edit.get("file", f"{kata.main_module}.py")
    find, function, code = edit.get("find"), edit.get("function"), edit.get("code")
    if not isinstance(file, str) or "/" in file or not file.endswith(".py"):
        raise VariantError(f"{where}: `file` must be a .py file of the kata folder, got {file!r}")
    if isinstance(find, str) and find and function is None and code is None:
        replace = edit.get("replace", "")
        if not isinstance(replace, str):
            raise VariantError(f"{where}: `replace` must be text")
        return Edit(file, find=find, replace=replace)
    if isinstance(function, str) and isinstance(code, str) and find is None:
        return Edit(file, function=function, code=code)
    raise VariantError(
        f"{where}: an edit has either `find` (+ `replace`) or `function` + `code`, got "
        f"{sorted(edit)}"
    )


def apply_edit(source: str, edit: Edit, label: str) -> str:
    """`source` with `edit` applied; VariantError when it no longer fits the reference."""
    if edit.find is not None:
        count = source.count(edit.find)
        if count != 1:
            raise VariantError(
                f"{label}: the text to find occurs {count} times in {edit.file} (it must occur "
                f"once); update variants.toml to the current reference:\n{edit.find}"
            )
        return source.replace(edit.find, edit.replace)
    assert edit.function is not None and edit.code is not None
    node = _find_def(ast.parse(source), edit.function)
    if node is None:
        raise VariantError(f"{label}: {edit.file} has no function {edit.function!r}")
    lines = source.splitlines(keepends=True)
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
    indent = lines[node.lineno - 1][: node.col_offset]
    code = textwrap.indent(textwrap.dedent(edit.code).strip("\n") + "\n", indent)
    return "".join([*lines[:start], code, *lines[node.end_lineno :]])


def _find_def(tree: ast.Module, qualified: str) -> ast.FunctionDef | ast.ClassDef | None:
    body: list[ast.stmt] = tree.body
    found: ast.FunctionDef | ast.ClassDef | None = None
    for part in qualified.split("."):
        found = next(
            (
                node
                for node in body
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and node.name == part
            ),
            None,
        )  # type: ignore[assignment]
        if found is None:
            return None
        body = found.body
    return found


def materialize(variant: Variant, kata: Kata, into: Path) -> Path:
    """Write the edited copy of the kata's reference folder; return the folder.

    The copy sits at `<into>/<key>/reference/<slug>/` so failures inside it are read as solution
    code (the folder above the file is named `reference`).
    """
    source = kata.solution_dir("reference")
    folder = into / variant.key / "reference" / kata.slug
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for path in source.glob("*.py"):
        if not path.name.startswith(("bench_", "conftest")):
            shutil.copy2(path, folder / path.name)
    for edit in variant.edits:
        target = folder / edit.file
        if not target.exists():
            raise VariantError(f"{variant.label}: reference/{kata.slug} has no {edit.file}")
        target.write_text(apply_edit(target.read_text(encoding="utf-8"), edit, variant.label))
    return folder


def mistake_caught(variant: Variant, messages: list[str]) -> bool:
    """True when one of the failure messages names the mistake (its `message` regex)."""
    pattern = re.compile(variant.message, re.IGNORECASE | re.DOTALL)
    return any(pattern.search(message) for message in messages)


def _shown(path: Path, kata: Kata) -> str:
    try:
        return str(path.relative_to(kata.root))
    except ValueError:
        return str(path)
