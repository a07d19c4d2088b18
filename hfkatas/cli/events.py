"""A pytest plugin that streams a run's progress as JSON lines to the `katas` command."""

from __future__ import annotations

import json
from typing import IO, Any

import pytest


class EventStream:
    """Writes `collected` and `test` events, one JSON object a line, to `channel`."""

    def __init__(self, channel: IO[str]) -> None:
        self.channel = channel

    def send(self, event: str, **fields: Any) -> None:
        self.channel.write(json.dumps({"event": event, **fields}) + "\n")
        self.channel.flush()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.send("collected", count=len(session.items))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.send("test", nodeid=report.nodeid, outcome=report.outcome)
