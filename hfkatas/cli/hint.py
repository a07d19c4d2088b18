"""`katas hint [KATA[.TASK]]`: the hint of a task, by default the next failing one."""

from __future__ import annotations

from rich.markdown import Markdown
from rich.markup import escape

from hfkatas.cli.exits import Exit
from hfkatas.cli.output import Output
from hfkatas.cli.targets import Course


def show_hint(out: Output, course: Course, target: str | None) -> Exit:
    kata, task = course.task(target)
    out.print(f"[bold]Task {task.id} · {escape(task.title)}[/] ({kata.slug})")
    hint = (
        task.hint or "This task has no hint yet: read the docstring of the stub in the kata file."
    )
    if out.plain:
        out.text(hint)
    else:
        out.print(Markdown(hint))
    out.text(
        f"The task is in {kata.kata_dir.relative_to(course.root)}/README.md; "
        f"check it with `katas check {kata.slug}`."
    )
    return Exit.OK
