"""`katas` / `katas list`: the curriculum, the learner's progress, and the next step."""

from __future__ import annotations

from rich.markup import escape

from hfkatas.cli.course import Course, short_title
from hfkatas.cli.exits import Exit
from hfkatas.cli.output import Output
from hfkatas.course.curriculum import Kata


def status_of(course: Course, kata: Kata) -> str:
    progress = course.progress.of(kata)
    if not progress.checked_at:
        return "not started"
    return "done" if progress.done(kata) else "in progress"


def show_list(out: Output, course: Course) -> Exit:
    """Print the table of katas and what to do next."""
    table = out.table("kata", "title", "tasks", "status", "time")
    passed_total = tasks_total = 0
    current = course.current()
    for kata in course.katas:
        progress = course.progress.of(kata)
        passed, total = progress.passed(kata), len(kata.tasks)
        passed_total, tasks_total = passed_total + passed, tasks_total + total
        status = status_of(course, kata)
        if kata.slug == current.slug and status != "done":
            status += " ←"
        table.add_row(
            kata.slug,
            escape(short_title(kata)),
            f"{passed}/{total}",
            status,
            f"~{kata.minutes} min",
        )
    out.print(table)
    out.print(out.bar(passed_total, tasks_total))
    if all(course.progress.of(k).done(k) for k in course.katas):
        out.print("Every kata passes: you have finished the course. Well done!")
    else:
        out.print(
            f"next: `katas watch` (or `katas check {current.slug}`) to work on {current.slug}"
        )
    return Exit.OK
