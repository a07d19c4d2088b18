"""`katas check [KATA]`: run a kata's tests and say, briefly, where the learner stands."""

from __future__ import annotations

from rich.markup import escape

from hfkatas.cli.exits import CliError, Exit
from hfkatas.cli.output import Output
from hfkatas.cli.runner import CheckRun, Event, Worker, run_kata
from hfkatas.cli.state import KataProgress
from hfkatas.cli.targets import Course, short_title
from hfkatas.curriculum import Kata
from hfkatas.results import FAIL


def run_check(out: Output, course: Course, kata: Kata, worker: Worker) -> Exit:
    """Run the tests with a progress bar, remember the result, print it; the exit status."""
    with out.progress(f"checking {kata.slug}") as bar:

        def on_event(event: Event) -> None:
            if event["event"] == "collected":
                bar.update(total=int(event["count"]))  # type: ignore[arg-type]
            elif event["event"] == "test":
                bar.update(advance=1)

        run = run_kata(worker, kata, on_event)
    if run.result is None or run.code not in (0, 1):
        return _broken(out, kata, run)
    progress = course.progress.record(kata, run.result)
    return show_result(out, course, kata, progress)


def _broken(out: Output, kata: Kata, run: CheckRun) -> Exit:
    out.print(f"[bold]{kata.slug}[/]: the tests could not run (pytest exit status {run.code}).")
    out.text(run.log_tail())
    out.text(
        f"The full output is in {run.log}. If you changed a test file, `katas reset "
        f"{kata.slug}` restores it (after saving a backup of your files)."
    )
    return Exit.BROKEN


def show_result(out: Output, course: Course, kata: Kata, progress: KataProgress) -> Exit:
    """The task list, the first failure with how to get its hint, and the next step."""
    passed, total = progress.passed(kata), len(kata.tasks)
    out.print(f"[bold]{kata.slug}[/] · {escape(short_title(kata))}: {passed}/{total} tasks pass")
    table = out.table("", "task", "title")
    for task in kata.tasks:
        table.add_row(out.mark(progress.tasks.get(task.id, "")), task.id, escape(task.title))
    out.print(table)
    failing = progress.failing(kata)
    if failing:
        first = failing[0]
        if progress.tasks.get(first) == FAIL and progress.message:
            out.text(progress.message)
        out.print(f"next: make task {first} pass (`katas hint {first}` if you are stuck)")
        return Exit.NOT_YET
    following = course.after(kata)
    if following is None:
        out.print("[green]Every kata passes: you have finished the course.[/] Well done!")
    else:
        out.print(
            f"[green]All {total} tasks pass.[/] next: `katas check {following.slug}`"
            f" ({escape(short_title(following))})"
        )
    out.print(f"Compare with the reference: `katas solution {kata.slug}`")
    return Exit.OK


def check(out: Output, course: Course, name: str | None) -> Exit:
    """The `check` command."""
    kata = course.kata(name) if name else course.current()
    if name:
        course.progress.choose(kata)
    if not kata.tasks:
        raise CliError(f"{kata.slug} lists no tasks in its README, so there is nothing to check")
    with Worker(course.root, course.home, preload=False) as worker:
        return run_check(out, course, kata, worker)
