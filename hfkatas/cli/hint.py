"""`katas hint [KATA[.TASK]] [--more]`: the hint of a task, by default the next failing one.

The hint teaches before it tells: first the nudge from kata.toml (the concept, where to look),
then with `--more` one level down, the calls the reference solution makes."""

from __future__ import annotations

from rich.markdown import Markdown
from rich.markup import escape

from hfkatas.cli.calls import reference_calls
from hfkatas.cli.course import Course
from hfkatas.cli.exits import Exit
from hfkatas.cli.output import Output


def show_hint(out: Output, course: Course, target: str | None, more: bool = False) -> Exit:
    kata, task = course.task(target)
    out.print(f"[bold]Task {task.id} · {escape(task.title)}[/] ({kata.slug})")
    if more:
        calls = reference_calls(course.root, kata, task.id)
        if calls:
            out.text("One level down: the calls the reference solution makes.")
            for call in calls:
                out.text(f"  {call}")
        else:
            out.text("The reference solution of this task makes no library call worth naming.")
        out.text(
            f"Still stuck? `katas solution {task.id} --force` shows the reference's functions."
        )
        return Exit.OK
    hint = (
        task.hint or "This task has no hint yet: read the docstring of the stub in the kata file."
    )
    if out.plain:
        out.text(hint)
    else:
        out.print(Markdown(hint))
    out.text(
        f"The task is in {kata.folder.relative_to(course.root)}/README.md; check it with "
        f"`katas check {kata.slug}`. One level down, to the calls: `katas hint {task.id} --more`."
    )
    return Exit.OK
