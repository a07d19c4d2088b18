"""Import the module under test (the learner's stub or the reference solution) by file path."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from hfkatas.course.curriculum import Kata

SOLUTIONS = ("learner", "reference")


class SolutionImportError(ImportError):
    """The solution file is missing or does not import; the message says what to do."""


def import_name(kata: Kata, solutions: str) -> str:
    """The name the main solution file is imported under (`hfkatas_learner_01_auto_classes`),
    unique per kata and per whose solutions, so a learner's and the reference's never clash."""
    return f"hfkatas_{solutions}_{kata.slug}"


def load_solution(
    kata: Kata, solutions: str, folder: Path | None = None, variant: str = ""
) -> ModuleType:
    """Import (once per process) `katas/NN/topic.py` or `reference/NN/topic.py`, or the module
    of an edited copy of the reference in `folder` (a shipped mistake or alternative)."""
    name = import_name(kata, solutions) + (f"_{variant.replace('-', '_')}" if variant else "")
    if name in sys.modules:
        return sys.modules[name]
    path = (folder / kata.module_path(solutions).name) if folder else kata.module_path(solutions)
    if not path.exists():
        fix = "run `katas reset " + kata.slug + "` to restore it" if solutions == "learner" else ""
        raise SolutionImportError(f"{_shown(path, kata)} is missing. {fix}".strip())
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        del sys.modules[name]
        raise SolutionImportError(
            f"{_shown(path, kata)} has a syntax error on line {error.lineno}: {error.msg}. "
            "Fix it and run the tests again."
        ) from None
    except Exception as error:
        del sys.modules[name]
        raise SolutionImportError(
            f"{_shown(path, kata)} fails while being imported: {type(error).__name__}: {error}. "
            "Code at the top level of the file runs on import: keep work inside the functions."
        ) from error
    except BaseException:
        del sys.modules[name]  # a timeout or Ctrl-C: never keep a half-imported module
        raise
    return module


def import_dependencies(kata: Kata, solutions: str) -> None:
    """Import the libraries a solution file imports at its top level (transformers, torch, peft).

    Called before the first test runs, so a cold `import transformers` (seconds on a busy laptop)
    is never charged to one test's timeout. Only top-level library imports are run: the learner's
    own code runs inside the tests, under their timeouts.
    """
    path = kata.module_path(solutions)
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return  # the test that loads it reports the problem
    for node in tree.body:
        if isinstance(node, ast.Import):
            names = [(alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [(node.module, tuple(alias.name for alias in node.names))]
        else:
            continue
        for module, attributes in names:
            if module.split(".")[0] in sys.stdlib_module_names:
                continue
            try:
                imported = importlib.import_module(module)
                for attribute in attributes:
                    getattr(imported, attribute, None)  # lazy modules import on attribute access
            except Exception:
                continue


def is_solution_file(path: str | Path) -> bool:
    """True for a kata module of `katas/` or `reference/` (not a test file)."""
    parts = Path(path).parts
    return (
        len(parts) >= 3
        and parts[-3] in ("katas", "reference")
        and not parts[-1].startswith(("test_", "conftest"))
        and parts[-1].endswith(".py")
    )


def _shown(path: Path, kata: Kata) -> str:
    try:
        return str(path.relative_to(kata.root))
    except ValueError:
        return str(path)
