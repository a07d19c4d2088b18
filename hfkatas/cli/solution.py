"""`katas solution KATA[.TASK]`: the reference as a diff against the learner's file, once the
kata (or the task) passes, or with `--force` after a warning.

By default the diff is per function and leaves out functions that differ only in their
docstrings; `--docstrings` shows the whole file's diff, docstrings included."""

from __future__ import annotations

import ast
import difflib

from rich.syntax import Syntax

from hfkatas.cli.check import run_check
from hfkatas.cli.course import Course
from hfkatas.cli.exits import CliError, Exit
from hfkatas.cli.output import Output
from hfkatas.cli.pristine import definition_sources, pristine_stub, task_definitions
from hfkatas.cli.worker.client import any_worker
from hfkatas.course.curriculum import Kata
from hfkatas.plugin.results import PASS

TOP = "(top of the file)"


def _parts(source: str) -> dict[str, str]:
    """The file's functions and classes by name, and its other statements (imports,
    constants) as one part; {} when it does not parse."""
    parts = definition_sources(source)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    lines = source.splitlines(keepends=True)
    top = [
        "".join(lines[node.lineno - 1 : node.end_lineno])
        for node in tree.body[1 if ast.get_docstring(tree) is not None else 0 :]
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    ]
    return {TOP: "".join(top), **parts}


def _code(source: str) -> str:
    """The code of `source` with every docstring left out, for comparing."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(node, ast.AST):
            first = body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                node.body = body[1:] or [ast.Pass()]  # type: ignore[attr-defined]
    return ast.dump(tree)


def _unified(before: str, after: str, mine: str, theirs: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), mine, theirs
        )
    )


def diff(course: Course, kata: Kata, task_id: str = "", docstrings: bool = False) -> str:
    """A unified diff from the learner's files to the reference solution: per function, without
    docstring-only changes; every solution file, or only `task_id`'s functions if given."""
    task = kata.task(task_id) if task_id else None
    files = [task.file] if task else list(kata.files)
    return "\n".join(
        text for name in files if (text := _file_diff(course, kata, name, task_id, docstrings))
    )


def _file_diff(course: Course, kata: Kata, name: str, task_id: str, docstrings: bool) -> str:
    mine, theirs = kata.solution_dir("learner") / name, kata.solution_dir("reference") / name
    before = mine.read_text(encoding="utf-8") if mine.exists() else ""
    after = theirs.read_text(encoding="utf-8")
    shown_mine = f"{mine.relative_to(course.root)} (yours)"
    shown_theirs = f"{theirs.relative_to(course.root)} (reference)"
    mine_parts, their_parts = _parts(before), _parts(after)
    if (docstrings and not task_id) or not mine_parts or not their_parts:
        return _unified(before, after, shown_mine, shown_theirs)
    names = list(their_parts)
    if task_id:
        marked = task_definitions(pristine_stub(course.root, kata, name) or before, task_id)
        names = [part for part in names if part in marked]
        if not names:
            raise CliError(f"no function of {name} is marked `# TODO {task_id}` in the stub")
    chunks = []
    for part in names:
        old, new = mine_parts.get(part, ""), their_parts[part]
        if old == new or (not docstrings and _code(old) == _code(new)):
            continue
        chunks.append(_unified(old, new, f"{shown_mine} · {part}", f"{shown_theirs} · {part}"))
    return "\n".join(chunks)


def _passes(course: Course, kata: Kata, task_id: str) -> bool:
    progress = course.progress.of(kata)
    return progress.tasks.get(task_id) == PASS if task_id else progress.done(kata)


def solution(
    out: Output,
    course: Course,
    name: str,
    force: bool,
    task: str | None = None,
    docstrings: bool = False,
) -> Exit:
    """The `solution` command."""
    kata = course.kata(name.partition(".")[0])
    if task and "." in task and course.task(task)[0] != kata:
        raise CliError(f"task {task} is not a task of {kata.slug}")
    number = (task or name.partition(".")[2]).rpartition(".")[2]
    task_id = course.task(f"{kata.slug}.{number}")[1].id if number else ""
    what = f"task {task_id}" if task_id else kata.slug
    if not kata.module_path("reference").exists():
        out.print(f"{kata.slug} has no reference solution in this checkout.")
        return Exit.NOT_YET
    if force:
        out.print(
            "[yellow]warning:[/] you are about to see the solution before your code passes. "
            "Struggling a little is how this sticks; `katas hint` may be all you need."
        )
    elif not _passes(course, kata, task_id):
        out.print(f"Checking {kata.slug} first: the solution of {what} opens once it passes.")
        with any_worker(course.root, course.home) as worker:
            run_check(out, course, kata, worker)
        if not _passes(course, kata, task_id):
            flag = f" --task {task_id}" if task_id else ""
            out.print(
                f"The solution of {what} stays locked until it passes "
                f"(`katas solution {kata.slug}{flag} --force` shows it anyway)."
            )
            return Exit.NOT_YET
    text = diff(course, kata, task_id, docstrings)
    if not text:
        extra = "" if docstrings else " (docstrings aside: `--docstrings` shows those too)"
        out.print(f"Your code of {what} is the same as the reference solution{extra}.")
    elif out.plain:
        out.text(text)
    else:
        out.print(Syntax(text, "diff", theme="ansi_dark", background_color="default"))
    return Exit.OK
