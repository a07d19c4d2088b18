"""The pristine stubs, as the course shipped them: read from git, never from the working tree.

The source is the branch the checkout tracks (`origin/main` after a clone), so committing your
own work never turns it into the "pristine" version; without an upstream it is `HEAD`.
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

from hfkatas.cli.exits import CliError
from hfkatas.course.curriculum import TODO_MARKER, Kata, todo_marker


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)


def pristine_ref(root: Path) -> str:
    """The upstream branch of the checkout, else HEAD."""
    upstream = _git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}")
    return upstream.stdout.decode().strip() if upstream.returncode == 0 else "HEAD"


def pristine_files(root: Path, kata: Kata) -> dict[Path, bytes]:
    """Every file of the kata folder as shipped, by path relative to the checkout."""
    ref = pristine_ref(root)
    folder = f"katas/{kata.slug}/"
    listing = _git(root, "ls-tree", "-r", "--name-only", ref, "--", folder)
    names = listing.stdout.decode().split("\n") if listing.returncode == 0 else []
    names = [name for name in names if name]
    if not names:
        raise CliError(
            f"cannot find the pristine files of {kata.slug} in git ({ref}): reset needs the "
            "checkout's git history. Re-clone the course, or copy the kata folder from it."
        )
    return {Path(name): _git(root, "show", f"{ref}:{name}").stdout for name in names}


def _definitions(tree: ast.Module) -> dict[str, ast.stmt]:
    return {
        node.name: node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }


def _span(node: ast.stmt) -> tuple[int, int]:
    """0-based first line (decorators included) and end line (exclusive) of a definition."""
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return first - 1, node.end_lineno or node.lineno


def definition_sources(source: str) -> dict[str, str]:
    """Each top-level function or class of `source` by name, as text ({} if it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    lines = source.splitlines(keepends=True)
    return {name: "".join(lines[slice(*_span(node))]) for name, node in _definitions(tree).items()}


def todo_tasks(stub: str) -> dict[str, tuple[str, ...]]:
    """The tasks of each definition that carries `# TODO N.M` markers in the stub, in order
    (a function can be started in one task and extended in a later one)."""
    return {
        name: tuple(dict.fromkeys(found.group(1) for found in TODO_MARKER.finditer(text)))
        for name, text in definition_sources(stub).items()
        if TODO_MARKER.search(text)
    }


def pristine_stub(root: Path, kata: Kata, name: str = "") -> str:
    """A solution file of the kata as shipped (the main module by default), or "" when git
    cannot say."""
    try:
        files = pristine_files(root, kata)
    except CliError:
        return ""
    path = kata.solution_dir("learner") / (name or kata.files[0])
    return files.get(path.relative_to(root), b"").decode(errors="replace")


def shipped_todo_tasks(root: Path, kata: Kata) -> dict[str, dict[str, tuple[str, ...]]]:
    """`todo_tasks` of every solution file as shipped, by file name, from one read of git; a
    file git cannot give is read from the working tree (a missing one has no tasks)."""
    try:
        files = pristine_files(root, kata)
    except CliError:
        files = {}
    found = {}
    for name in kata.files:
        path = kata.solution_dir("learner") / name
        shipped = files.get(path.relative_to(root))
        try:
            source = shipped.decode(errors="replace") if shipped else path.read_text("utf-8")
        except OSError:
            source = ""
        found[name] = todo_tasks(source)
    return found


def task_definitions(stub: str, task_id: str) -> list[str]:
    """The names of the stub's definitions that carry `# TODO <task_id>`."""
    marker = todo_marker(task_id)
    return [name for name, text in definition_sources(stub).items() if marker.search(text)]


def restore_task(current: str, pristine: str, task_id: str) -> str:
    """`current` with the definitions that carry `# TODO <task_id>` in `pristine` put back."""
    sources = definition_sources(pristine)
    wanted = {name: sources[name] for name in task_definitions(pristine, task_id)}
    if not wanted:
        raise CliError(f"the stub has no `# TODO {task_id}` marker: reset the whole kata instead")
    try:
        tree = ast.parse(current)
    except SyntaxError as error:
        raise CliError(
            f"your file has a syntax error on line {error.lineno}, so one task cannot be reset "
            "on its own: fix it, or reset the whole kata"
        ) from None
    lines = current.splitlines(keepends=True)
    found = _definitions(tree)
    # Replace from the bottom up so earlier line numbers stay valid.
    for name, node in sorted(
        ((n, found[n]) for n in wanted if n in found), key=lambda item: -item[1].lineno
    ):
        start, end = _span(node)
        lines[start:end] = [wanted[name]]
    missing = [wanted[name] for name in wanted if name not in found]
    text = "".join(lines)
    if missing:
        text = text.rstrip("\n") + "\n\n\n" + "\n\n".join(missing)
    return text
