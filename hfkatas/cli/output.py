"""Terminal output: rich colour, tables and progress bars on a terminal; plain text otherwise
(when piped, redirected, or `NO_COLOR` is set)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hfkatas.plugin.results import FAIL, PASS, SKIP

# (rich, plain) marks for a task's status.
MARKS = {
    PASS: ("[green]✓[/]", "pass"),
    FAIL: ("[red]✗[/]", "FAIL"),
    SKIP: ("[yellow]-[/]", "skip"),
    "": ("[dim]·[/]", "-"),
}


def _is_plain(stream: TextIO) -> bool:
    """Plain text for a pipe, a file, or when `NO_COLOR` is set."""
    return "NO_COLOR" in os.environ or not stream.isatty()


def _console(plain: bool, *, stderr: bool = False) -> Console:
    """A rich console; a plain one never breaks a long line (a pipe or a log file gets each
    message whole, however long its list of valid names) and lays tables out 120 wide."""
    return Console(
        stderr=stderr,
        color_system=None if plain else "auto",
        highlight=False,
        emoji=False,
        soft_wrap=plain,
        width=120 if plain else None,
    )


class Output:
    """Where a command prints: one rich console that knows whether to be plain."""

    def __init__(self, console: Console | None = None) -> None:
        self.plain = _is_plain(sys.stdout)
        self.console = console or _console(self.plain)
        self.errors = _console(_is_plain(sys.stderr), stderr=True)

    def print(self, *objects: object, **options: object) -> None:
        self.console.print(*objects, **options)  # type: ignore[arg-type]

    def text(self, text: str) -> None:
        """Print text that may contain brackets (paths, messages) without rich markup."""
        self.console.print(text, markup=False)

    def error(self, message: str) -> None:
        """One `error: ...` line on stderr; the message is printed as is (brackets included)."""
        self.errors.print(f"[red]error:[/] {escape(message)}")

    def mark(self, status: str) -> str:
        rich_mark, plain_mark = MARKS.get(status, MARKS[""])
        return plain_mark if self.plain else rich_mark

    def table(self, *columns: str) -> Table:
        """A table with a header: box lines on a terminal, aligned columns when plain."""
        table = Table(box=None if self.plain else box.SIMPLE_HEAD, pad_edge=False)
        for column in columns:
            table.add_column(column)
        return table

    def bar(self, done: int, total: int, width: int = 30) -> str:
        """A one-line progress bar, e.g. `[#######-------] 12/40 tasks`."""
        filled = round(width * done / total) if total else 0
        if self.plain:
            return escape(f"[{'#' * filled}{'-' * (width - filled)}] {done}/{total} tasks")
        return f"[green]{'━' * filled}[/][dim]{'━' * (width - filled)}[/] {done}/{total} tasks"

    @contextmanager
    def progress(self, description: str, total: int | None = None) -> Iterator[ProgressBar]:
        """A live progress bar on a terminal; nothing at all when plain."""
        if self.plain:
            yield ProgressBar(None, None)
            return
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=self.console, transient=True) as progress:
            yield ProgressBar(progress, progress.add_task(description, total=total))

    def clear(self) -> None:
        """Clear the screen of a terminal (also with NO_COLOR); nothing when piped."""
        self.console.clear()


class ProgressBar:
    """A handle on one bar of `Output.progress` (a no-op when output is plain)."""

    def __init__(self, progress: Progress | None, task: object) -> None:
        self._progress = progress
        self._task = task

    def update(self, *, total: int | None = None, advance: int = 0, description: str = "") -> None:
        if self._progress is None:
            return
        fields: dict[str, object] = {"advance": advance}
        if total is not None:
            fields["total"] = total
        if description:
            fields["description"] = description
        self._progress.update(self._task, **fields)  # type: ignore[arg-type]
