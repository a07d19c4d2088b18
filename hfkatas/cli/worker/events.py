"""A pytest plugin that streams a run's progress as JSON lines to the `katas` command.

Each `test` event says which task the test belongs to, whether it needs a GPU, and for a
failure which kind it is and where it happened, so the command can point at the test's line.
It can also narrow a run to some tasks (`only`) or leave some out (`skip`).
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import pytest

from hfkatas.cli.worker.protocol import COLLECTED, TEST, event_line
from hfkatas.paths import repo_root
from hfkatas.plugin.failures import classify, where
from hfkatas.plugin.results import task_of


class EventStream:
    """Writes `collected` and `test` events, one JSON object a line, to `channel`."""

    def __init__(
        self, channel: IO[str], only: list[str] | None = None, skip: list[str] | None = None
    ) -> None:
        self.channel = channel
        self.only, self.skip = set(only or ()), set(skip or ())
        self.items: dict[str, pytest.Item] = {}
        self.failures: dict[str, dict[str, str]] = {}

    def send(self, event: str, **fields: Any) -> None:
        self.channel.write(event_line(event, **fields))
        self.channel.flush()

    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        if not self.only and not self.skip:
            return
        keep = [
            item
            for item in items
            if (not self.only or task_of(item) in self.only) and task_of(item) not in self.skip
        ]
        dropped = [item for item in items if item not in keep]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = keep

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.items = {item.nodeid: item for item in session.items}
        self.send(COLLECTED, count=len(session.items))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
        report: pytest.TestReport = yield
        if call.excinfo is not None and report.failed and item.nodeid not in self.failures:
            root = repo_root()
            self.failures[item.nodeid] = {
                "kind": classify(call.excinfo, root).kind,
                "at": where(call.excinfo, root, Path(str(item.path))),
            }
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            item = self.items.get(report.nodeid)
            self.send(
                TEST,
                nodeid=report.nodeid,
                outcome=report.outcome,
                task=task_of(item) if item else "",
                cuda=bool(item and item.get_closest_marker("cuda")),
                **(self.failures.get(report.nodeid, {}) if report.failed else {}),
            )
