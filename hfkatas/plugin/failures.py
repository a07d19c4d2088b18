"""Turn a failing kata test into one short line a learner can act on."""

from __future__ import annotations

import re
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from hfkatas.plugin.solutions import SolutionImportError, is_solution_file

NOT_IMPLEMENTED = "not_implemented"
ASSERTION = "assertion"
ERROR = "error"
OFFLINE_MISS = "couldn't find them in the cached files"
REPO_ARGUMENTS = ("pretrained_model_name_or_path", "repo_id", "path_or_repo_id")
MISSING_NAME = re.compile(r"module 'hfkatas_(?:learner|reference)_\w+' has no attribute '(\w+)'")
# `<class 'transformers.models.t5.configuration_t5.T5Config'>` reads better as `T5Config`.
CLASS_REPR = re.compile(r"<class '(?:\w+\.)*(\w+)'>")
# A library's list of every valid name (transformers lists ~45 config classes): keep a few.
LONG_LIST = re.compile(r"\b[\w.]+(?:, [\w.]+){7,}")
LIST_KEPT = 3
LINE_LIMIT = 300


@dataclass(frozen=True)
class Failure:
    """What went wrong, in the learner's terms."""

    kind: str
    function: str
    message: str
    location: str = ""


def _solution_frames(excinfo: pytest.ExceptionInfo[BaseException]) -> list[object]:
    return [entry for entry in excinfo.traceback if is_solution_file(entry.path)]


def _qualified_name(entry: object) -> str:
    """`BatchServer.__init__` rather than `__init__` (Python ≥ 3.11 knows the qualified name)."""
    code = entry.frame.code.raw  # type: ignore[attr-defined]
    return getattr(code, "co_qualname", code.co_name)


def _location(entry: object, root: Path) -> str:
    path = Path(entry.path)  # type: ignore[attr-defined]
    try:
        shown = path.relative_to(root)
    except ValueError:
        shown = path
    return f"{shown}:{entry.lineno + 1} in {entry.name}"  # type: ignore[attr-defined]


def _assert_message(error: BaseException) -> str:
    """The author's message of an `assert x, message` (pytest appends its own explanation)."""
    text = str(error)
    head = text.split("\nassert ", 1)[0]
    return head.strip() or text.strip()


def _requested_repo(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    """The repo id a failed `from_pretrained` / download asked for, read from its frames."""
    for entry in reversed(excinfo.traceback):
        local_vars = entry.locals
        for name in REPO_ARGUMENTS:
            if isinstance(local_vars.get(name), str):
                return local_vars[name]
    return ""


def _not_in_zoo(repo: str) -> str:
    from hfkatas.zoo.catalog import CATALOG

    known = ", ".join(recipe.repo_id for recipe in CATALOG.values())
    return (
        f"{repo!r} is not in the offline model zoo (the katas never download from the Hub). "
        f"Use one of: {known}"
    )


def classify(excinfo: pytest.ExceptionInfo[BaseException], root: Path) -> Failure:
    """Say whether the stub is unfinished, a check failed, or the code raised an error."""
    frames = _solution_frames(excinfo)
    function = _qualified_name(frames[-1]) if frames else ""
    error = excinfo.value
    if isinstance(error, NotImplementedError) and frames:
        return Failure(NOT_IMPLEMENTED, function, "not implemented yet")
    if isinstance(error, SolutionImportError):
        return Failure(ERROR, "", str(error))
    if isinstance(error, AttributeError) and (missing := MISSING_NAME.search(str(error))):
        name = missing.group(1)
        return Failure(
            ERROR,
            name,
            f"the kata file has no `{name}`: keep the names and signatures of the stub "
            "(`katas reset` restores a stub after saving a backup).",
        )
    if isinstance(error, OSError) and OFFLINE_MISS in str(error):
        location = _location(frames[-1], root) if frames else ""
        return Failure(
            ERROR, function, _not_in_zoo(_requested_repo(excinfo) or "that model"), location
        )
    if isinstance(error, AssertionError) and not frames:
        return Failure(ASSERTION, function, _assert_message(error))
    location = _location(frames[-1], root) if frames else ""
    summary = f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
    return Failure(ERROR, function, summary.rstrip(": "), location)


def where(excinfo: pytest.ExceptionInfo[BaseException], root: Path, test_path: Path) -> str:
    """`file:line` of the test line that failed (the deepest frame in the test file)."""
    frames = [entry for entry in excinfo.traceback if Path(entry.path) == Path(test_path)]
    if not frames:
        return ""
    return _location(frames[-1], root).split(" in ", 1)[0]


def first_line(text: str, limit: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _shorter_list(match: re.Match[str]) -> str:
    names = match.group(0).split(", ")
    return f"{', '.join(names[:LIST_KEPT])}, … ({len(names)} in all)"


def concise(text: str, limit: int = LINE_LIMIT) -> str:
    """A library message cut to what the learner needs: one line, class reprs as bare names,
    long lists of valid names shortened to a few, at most `limit` characters."""
    text = LONG_LIST.sub(_shorter_list, CLASS_REPR.sub(r"\1", text))
    return first_line(text, limit)


def earlier_task(task_id: str, function: str, owners: Mapping[str, tuple[str, ...]]) -> str:
    """The other task whose function failed under `task_id`'s test ("" if it is the task's own).

    `owners` gives the tasks of each top-level definition of the stubs (their TODO markers)."""
    tasks = owners.get(function.split(".")[0], ())
    return "" if not tasks or task_id in tasks else tasks[0]


def render(
    task_id: str,
    failure: Failure,
    hint: str,
    title: str = "",
    owners: Mapping[str, tuple[str, ...]] | None = None,
) -> str:
    """The line (or two) shown instead of a traceback. A failure inside another task's function
    (a later task builds on an earlier one) names that task, so the learner fixes it first."""
    other = earlier_task(task_id, failure.function, owners or {})
    if other:
        head = f"task {task_id} {title}".rstrip()
        if failure.kind == NOT_IMPLEMENTED:
            return (
                f"{head}: needs your `{failure.function}` from task {other}, which is not "
                f"implemented yet: finish task {other} first"
            )
        where = f"in your `{failure.function}` from task {other}: make task {other} pass first"
        text = f"{head}: {concise(failure.message)} ({where})"
        return text + (f"\n    raised at {failure.location}" if failure.location else "")
    name = failure.function or title
    head = f"task {task_id} {name}".rstrip() if task_id else name
    if failure.kind == NOT_IMPLEMENTED:
        tail = f" — hint: {first_line(hint)}" if hint else ""
        more = f" (`katas hint {task_id}` for more)" if hint else ""
        return f"{head}: not implemented yet{tail}{more}"
    message = concise(failure.message)
    text = f"{head}: {message}" if head else message
    if failure.location:
        text += f"\n    raised at {failure.location}"
    return text


def import_problem(error: SolutionImportError, path: Path, root: Path) -> tuple[str, str]:
    """Why the learner's file does not import, as one line (file, line, what is wrong), and
    the next step."""
    try:
        shown = str(path.relative_to(root))
    except ValueError:
        shown = str(path)
    cause = error.__cause__ or error.__context__
    if isinstance(cause, SyntaxError):
        what = "indentation error" if isinstance(cause, IndentationError) else "syntax error"
        return f"{shown}:{cause.lineno}: {what}: {cause.msg}", f"fix the {what}"
    if cause is None:  # the file is missing
        return str(error), "restore the file (`katas reset` puts the stub back)"
    frames = [frame for frame in _traceback_of(cause) if Path(frame[0]) == path]
    line = f":{frames[-1][1]}" if frames else ""
    return (
        f"{shown}{line}: {concise(f'{type(cause).__name__}: {cause}')} (while importing: "
        "top-level code runs on import, keep work inside the functions)",
        f"fix line {frames[-1][1]} so the file imports" if frames else "make the file import",
    )


def _traceback_of(error: BaseException) -> list[tuple[str, int]]:
    return [
        (frame.filename, frame.lineno or 0) for frame in traceback.extract_tb(error.__traceback__)
    ]
