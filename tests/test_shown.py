"""`hfkatas.plugin.shown`: values a kata test shows become short, readable text and never fail a test."""

from __future__ import annotations

from hfkatas.cli.watch import merged
from hfkatas.cli.worker.client import CheckRun
from hfkatas.plugin.results import FAIL, PASS, KataResult, TaskResult
from hfkatas.plugin.shown import (
    LINE_WIDTH,
    MAX_CHARS,
    SPARKS,
    describe,
    display_lines,
    recorded,
    recorder,
    summary_lines,
    task_lines,
)


def test_a_loss_curve_is_a_sparkline_between_its_first_and_last_value():
    losses = [2.5, 2.0, 1.75, 1.5, 0.5]
    text = describe(losses)
    assert text.startswith("2.50 ") and text.endswith(" 0.50 (5 values)"), text
    marks = text.split()[1]
    assert marks[0] == SPARKS[-1] and marks[-1] == SPARKS[0], "highest full, lowest empty"
    assert len(describe([float(n) for n in range(500)]).split()[1]) <= LINE_WIDTH // 2, (
        "a long curve is sampled down to fit a line"
    )


def test_pairs_and_mappings_are_one_pair_a_line():
    assert describe([(0.8123, "guitar"), (0.1, "train")]) == "0.81  guitar\n0.10  train"
    assert describe({"fp32": "538 MB", "nf4": 112}) == "fp32  538 MB\nnf4  112"
    assert describe(1234567) == "1,234,567" and describe(12.345) == "12.35"


def test_show_records_text_and_never_raises():
    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("no")

    properties: list[tuple[str, object]] = [("other", 1)]
    show = recorder(properties)
    show("answer", "Paris")
    show("broken", Unprintable())
    show("huge", "x" * (MAX_CHARS * 3))
    entries = recorded(properties)
    assert entries[0] == ("answer", "Paris")
    assert entries[1][1].startswith("(could not show this value"), entries[1]
    assert len(entries[2][1]) == MAX_CHARS, "a test records a bounded amount of text"
    assert len(entries) == 3, "only shown values are read back, not other properties"


def test_display_keeps_a_budget_of_short_lines():
    lines = display_lines([("a", "one"), ("b", "two\nthree\nfour")], width=20, budget=4)
    assert lines == ["a: one", "b:", "  two", "  three …"], "the value that overflows is cut"
    whole = display_lines([("a", "one\ntwo"), ("b", "left out")], budget=3)
    assert whole == ["a:", "  one", "  two"], "a value that fits stays whole, the next is left out"
    assert display_lines([("long", "y" * 50)], width=20) == ["long: " + "y" * 13 + "…"]
    assert display_lines([("blank", "  ")]) == ["blank: (empty)"]


def _result(status: str, shown: list[tuple[str, str]]) -> KataResult:
    return KataResult("01_x", {"1.1": TaskResult("1.1", "T", status, 1, 0, "", shown)})


def test_only_a_passing_task_shows_its_values():
    assert task_lines(_result(PASS, [("sum", "42")]), "1.1") == ["sum: 42"]
    assert task_lines(_result(FAIL, [("sum", "41")]), "1.1") == []
    assert task_lines(None, "1.1") == [] and task_lines(_result(PASS, []), "2.1") == []
    assert summary_lines(_result(PASS, [("sum", "42")])) == ["  1.1   sum: 42"]


def test_a_task_records_only_what_its_passing_tests_showed():
    task = TaskResult("1.1")
    task.record("passed", "", [("kept", "1")])
    task.record("failed", "boom", [("dropped", "2")])
    assert task.shown == [("kept", "1")] and task.status == FAIL


def test_watch_keeps_the_focused_tasks_values_when_it_merges_the_runs(tmp_path):
    first = CheckRun(0, _result(PASS, [("sum", "42")]), tmp_path / "log")
    rest = CheckRun(0, KataResult("01_x", {"1.2": TaskResult("1.2", "U", PASS)}), tmp_path / "log")
    whole = merged(first, rest, "1.1").result
    assert whole is not None and task_lines(whole, "1.1") == ["sum: 42"]
