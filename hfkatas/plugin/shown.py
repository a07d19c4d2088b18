"""What a kata test shows the learner of their own code's result.

A test that has computed something a person would read (generated text, a chat answer, the top
search hits, a quantized model's footprint, a loss curve) calls the plugin's `show` fixture:
`show("chat answer", reply)`. The value is turned into short text at once and kept in the test's
`user_properties`; a task whose tests all pass lists its values under it, in `katas check`,
`katas watch` and pytest's closing summary. Showing never changes a verdict: it cannot raise,
and a value is only shown for a passing task (a failing one has its failure message instead).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from numbers import Integral, Real

from hfkatas.plugin.results import PASS, KataResult

PROPERTY = "kata_shown"  # the name of a shown value in a test's user_properties
MAX_CHARS = 2_000  # what a test may record per value; the display trims further
LINE_WIDTH = 72  # characters per displayed line
TASK_LINES = 4  # displayed lines per task
SPARKS = "▁▂▃▄▅▆▇█"
Entry = tuple[str, str]  # (label, text)
Show = Callable[[str, object], None]


def number(value: float) -> str:
    """A number as a reader wants it: integers whole, others with two decimals."""
    if isinstance(value, Integral):
        return f"{int(value):,}"
    return f"{float(value):.2f}" if abs(value) < 100 else f"{float(value):,.0f}"


def sparkline(values: Sequence[float]) -> str:
    """`2.31 ▇▆▄▃▂▁ 0.84 (6 values)`: the first and last value around a unicode sparkline."""
    finite = [float(v) for v in values if math.isfinite(float(v))]
    if not finite:
        return ", ".join(str(v) for v in values)
    low, high = min(finite), max(finite)
    scale = (len(SPARKS) - 1) / (high - low) if high > low else 0.0
    marks = "".join(
        SPARKS[round((float(v) - low) * scale)] if math.isfinite(float(v)) else "?" for v in values
    )
    if len(marks) > LINE_WIDTH // 2:  # one mark per bucket of values, each bucket's first
        step = len(marks) / (LINE_WIDTH // 2)
        marks = "".join(marks[int(i * step)] for i in range(LINE_WIDTH // 2))
    return f"{number(values[0])} {marks} {number(values[-1])} ({len(values)} values)"


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def describe(value: object) -> str:
    """Text for a shown value: a string as it is; numbers as numbers; a sequence of numbers as a
    sparkline; (score, text) pairs and mappings one `left  right` pair a line."""
    if isinstance(value, str):
        return value
    if _is_number(value):
        return number(value)  # type: ignore[arg-type]
    if isinstance(value, Mapping):
        value = list(value.items())
    if isinstance(value, Sequence) and value:
        if all(_is_number(item) for item in value):
            return sparkline(value)  # type: ignore[arg-type]
        if all(isinstance(item, tuple) and len(item) == 2 for item in value):
            return "\n".join(f"{describe(left)}  {describe(right)}" for left, right in value)
    return str(value)


def recorder(properties: list[tuple[str, object]]) -> Show:
    """The `show(label, value)` a test calls: records into `properties`, never raises."""

    def show(label: str, value: object) -> None:
        try:
            text = describe(value)
        except Exception as error:  # a value we cannot describe must not fail the test
            text = f"(could not show this value: {type(error).__name__})"
        properties.append((PROPERTY, (str(label), text[:MAX_CHARS])))

    return show


def recorded(properties: Iterable[tuple[str, object]]) -> list[Entry]:
    """The values a test showed, from its user_properties."""
    return [
        (str(value[0]), str(value[1]))
        for name, value in properties
        if name == PROPERTY and isinstance(value, tuple | list) and len(value) == 2
    ]


def cut(line: str, width: int) -> str:
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def display_lines(
    entries: Iterable[Sequence[str]], width: int = LINE_WIDTH, budget: int = TASK_LINES
) -> list[str]:
    """A task's shown values in at most `budget` lines of at most `width` characters: a
    one-line value as `label: value`, a longer one as `label:` and its lines indented. Values
    are kept whole while they fit; the one that does not fit is cut, ending in `…`, and the
    rest are left out."""
    lines: list[str] = []
    for label, text in entries:
        room = budget - len(lines)
        if room <= 0:
            break
        rows = [row.rstrip() for row in text.strip().splitlines() if row.strip()] or ["(empty)"]
        value = (
            [f"{label}: {rows[0]}"] if len(rows) == 1 else [f"{label}:", *(f"  {r}" for r in rows)]
        )
        if len(value) > room:
            value = [*value[: room - 1], value[room - 1] + " …"]
        lines.extend(value)
    return [cut(line, width) for line in lines]


def task_lines(result: KataResult | None, task_id: str, width: int = LINE_WIDTH) -> list[str]:
    """What to show under a task: its tests' values if it passes, else nothing."""
    task = result.tasks.get(task_id) if result else None
    if task is None or task.status != PASS or not task.shown:
        return []
    return display_lines(task.shown, width)


def summary_lines(result: KataResult) -> list[str]:
    """The shown values of a kata's passing tasks for pytest's closing summary, e.g.
    `  2.9   chat answer: The capital of France is Paris.`"""
    lines: list[str] = []
    for task_id in result.tasks:
        shown = task_lines(result, task_id)
        lines.extend(f"  {task_id if i == 0 else '':<6}{line}" for i, line in enumerate(shown))
    return lines
