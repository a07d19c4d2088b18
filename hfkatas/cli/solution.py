"""`katas solution KATA`: the reference as a diff against the learner's file, once the kata
passes (or with `--force`, after a warning)."""

from __future__ import annotations

import difflib

from rich.syntax import Syntax

from hfkatas.cli.check import run_check
from hfkatas.cli.exits import Exit
from hfkatas.cli.output import Output
from hfkatas.cli.runner import any_worker
from hfkatas.cli.targets import Course
from hfkatas.curriculum import Kata


def diff(course: Course, kata: Kata) -> str:
    """A unified diff from the learner's file to the reference solution."""
    mine, theirs = kata.module_path("learner"), kata.module_path("reference")
    before = mine.read_text(encoding="utf-8").splitlines(keepends=True) if mine.exists() else []
    after = theirs.read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(
        difflib.unified_diff(
            before,
            after,
            fromfile=f"{mine.relative_to(course.root)} (yours)",
            tofile=f"{theirs.relative_to(course.root)} (reference)",
        )
    )


def solution(out: Output, course: Course, name: str, force: bool) -> Exit:
    """The `solution` command."""
    kata = course.kata(name)
    if not kata.module_path("reference").exists():
        out.print(f"{kata.slug} has no reference solution in this checkout.")
        return Exit.NOT_YET
    if force:
        out.print(
            "[yellow]warning:[/] you are about to see the solution before your code passes. "
            "Struggling a little is how this sticks; `katas hint` may be all you need."
        )
    elif not course.progress.of(kata).done(kata):
        out.print(f"Checking {kata.slug} first: the solution opens once every task passes.")
        with any_worker(course.root, course.home) as worker:
            if run_check(out, course, kata, worker) != Exit.OK:
                out.print(
                    f"The solution of {kata.slug} stays locked until every task passes "
                    f"(`katas solution {kata.slug} --force` shows it anyway)."
                )
                return Exit.NOT_YET
    text = diff(course, kata)
    if not text:
        out.print("Your file is identical to the reference solution.")
    elif out.plain:
        out.text(text)
    else:
        out.print(Syntax(text, "diff", theme="ansi_dark", background_color="default"))
    return Exit.OK
