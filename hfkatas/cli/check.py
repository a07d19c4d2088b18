"""`katas check [KATA]`: run a kata's tests and say, briefly, where the learner stands."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from rich.markup import escape

from hfkatas.cli.course import Course, short_title
from hfkatas.cli.exits import CliError, Exit
from hfkatas.cli.output import Output
from hfkatas.cli.progress import KataProgress
from hfkatas.cli.worker.client import CheckRun, Worker, any_worker, run_kata
from hfkatas.cli.worker.protocol import COLLECTED, TEST, Event
from hfkatas.course.curriculum import Kata
from hfkatas.plugin.failures import NOT_IMPLEMENTED
from hfkatas.plugin.results import FAIL, PASS, SKIP, KataResult
from hfkatas.plugin.shown import LINE_WIDTH, task_lines

GPU_NOTE = "{count} GPU test{s} skipped (`nox -s cuda`)"


def run_with_progress(
    out: Output, kata: Kata, worker: Worker, *, skip: Iterable[str] = ()
) -> CheckRun:
    """Run the kata's tests (all, or all but some tasks') with a progress bar."""
    with out.progress(f"checking {kata.slug}") as bar:

        def on_event(event: Event) -> None:
            if event["event"] == COLLECTED:
                bar.update(total=int(event["count"]))  # type: ignore[arg-type]
            elif event["event"] == TEST:
                bar.update(advance=1)

        return run_kata(worker, kata, on_event, skip=skip)


def run_check(out: Output, course: Course, kata: Kata, worker: Worker) -> Exit:
    """Run the tests with a progress bar, remember the result, print it; the exit status."""
    return show_run(out, course, kata, run_with_progress(out, kata, worker))


def show_run(out: Output, course: Course, kata: Kata, run: CheckRun) -> Exit:
    """Record and show a finished run; a file that does not import keeps the old progress."""
    if run.import_error is not None:
        return show_import_error(out, kata, run.import_error)
    if run.result is None or run.code not in (0, 1):
        return _broken(out, kata, run)
    gpu_skipped = point_at_tests(run.result, run.tests)
    progress = course.progress.record(kata, run.result, gpu_skipped)
    return show_result(out, course, kata, progress, run.result)


def point_at_tests(result: KataResult, tests: list[Event]) -> dict[str, int]:
    """Add the failing test (its pytest id and line) to each failing task's message, unless
    the stub is just unfinished; return how many GPU tests each task had skipped."""
    first_failure: dict[str, Event] = {}
    gpu: Counter[str] = Counter()
    for event in tests:
        task = str(event.get("task", ""))
        if event["outcome"] == "failed":
            first_failure.setdefault(task, event)
        elif event["outcome"] == "skipped" and event.get("cuda"):
            gpu[task] += 1
    for task_id, event in first_failure.items():
        task = result.tasks.get(task_id)
        if task is None or task.status != FAIL or event.get("kind") == NOT_IMPLEMENTED:
            continue
        line = f" (line {str(event['at']).rsplit(':', 1)[-1]})" if event.get("at") else ""
        task.message += f"\n    in test {event['nodeid']}{line}"
    return dict(gpu)


def show_import_error(out: Output, kata: Kata, event: Event) -> Exit:
    out.print(
        f"[bold]{kata.slug}[/]: your file does not import, so no test ran "
        "(your progress so far is kept)."
    )
    out.text(str(event["message"]))
    out.print(f"next: {escape(str(event['next']))}")
    return Exit.BROKEN


def _broken(out: Output, kata: Kata, run: CheckRun) -> Exit:
    out.print(f"[bold]{kata.slug}[/]: the tests could not run (pytest exit status {run.code}).")
    out.text(run.log_tail())
    out.text(
        f"The full output is in {run.log}. If you changed a test file, `katas reset "
        f"{kata.slug}` restores it (after saving a backup of your files)."
    )
    return Exit.BROKEN


def gpu_note(status: str, count: int) -> str:
    """What a task's skipped GPU tests mean for its status on this machine."""
    if not count:
        return ""
    skipped = GPU_NOTE.format(count=count, s="s" if count > 1 else "")
    if status == PASS:
        return f"CPU part passes; {skipped}"
    return f"needs a GPU: {skipped}" if status == SKIP else skipped


def shown_width(out: Output) -> int:
    """Room for a shown line in the title column (the mark and task id come first)."""
    return max(24, min(LINE_WIDTH, out.console.width - 14))


def show_result(
    out: Output,
    course: Course,
    kata: Kata,
    progress: KataProgress,
    result: KataResult | None = None,
) -> Exit:
    """The task list (under a passing task, what its tests showed of the learner's results),
    the first failure with how to get its hint, and the next step."""
    passed, total = progress.passed(kata), len(kata.tasks)
    out.print(f"[bold]{kata.slug}[/] · {escape(short_title(kata))}: {passed}/{total} tasks pass")
    table = out.table("", "task", "title")
    for task in kata.tasks:
        status = progress.tasks.get(task.id, "")
        note = gpu_note(status, progress.gpu_skipped.get(task.id, 0))
        title = escape(task.title) + (f" [dim]· {escape(note)}[/]" if note else "")
        table.add_row(out.mark(status), task.id, title)
        for line in task_lines(result, task.id, shown_width(out)):
            table.add_row("", "", f"[dim]{escape(line)}[/]")
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
    """The `check` command (through `katas watch`'s warm worker when one runs)."""
    kata = course.kata(name) if name else course.current()
    if name:
        course.progress.choose(kata)
    if not kata.tasks:
        raise CliError(f"{kata.slug} lists no tasks in its README, so there is nothing to check")
    with any_worker(course.root, course.home) as worker:
        if worker.borrowed:
            out.print("[dim]using the warm test worker of the running `katas watch`[/]")
        return run_check(out, course, kata, worker)
