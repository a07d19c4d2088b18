"""The worker's messages, and its one-run mode (used where `fork` is missing, on Windows):
events and a report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hfkatas.cli.worker.protocol import parse_request, request_line
from hfkatas.plugin.results import load


@pytest.mark.timeout(120)
def test_a_single_run_streams_events_and_writes_the_report(
    checkout: Path, environment: dict[str, str], tmp_path: Path
):
    report, log = tmp_path / "report.json", tmp_path / "check.log"
    request = {
        "args": [str(checkout / "katas" / "01_basics"), f"--kata-report={report}", "-q"],
        "log": str(log),
    }
    result = subprocess.run(
        [sys.executable, "-m", "hfkatas.cli.worker.server", "--run", json.dumps(request)],
        cwd=checkout,
        env={**environment, "KATAS_ROOT": str(checkout)},
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1, f"failing stubs make pytest exit 1:\n{log.read_text()}"
    assert events[0] == {"event": "collected", "count": 2}, "the run announces its test count"
    assert [e["outcome"] for e in events[1:]] == ["failed", "failed"], "one event per test"
    assert load(report)["01_basics"].line() == "01_basics: 0/2 tasks pass", "per-task report"
    assert "tasks pass" in log.read_text(), "pytest's own output goes to the log, not stdout"


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "line", [b"", b"not json", b"[1, 2]", b'{"args": "-q"}', b'{"log": "x"}', b"\xff\xfe{"]
)
def test_a_line_that_is_not_a_request_is_ignored(line: bytes):
    """Any process of the user's may write to the worker's socket: a stray line must neither
    start a run nor stop the worker."""
    assert parse_request(line) is None


@pytest.mark.timeout(10)
def test_a_request_reads_back_as_the_client_sent_it(tmp_path: Path):
    log = tmp_path / "check.log"
    line = request_line(["katas/01_basics", "-q"], log, kata="01_basics", only=["1.1"])
    assert line.endswith("\n") and line.count("\n") == 1, "one request is one line"
    assert parse_request(line.encode()) == {
        "args": ["katas/01_basics", "-q"],
        "log": str(log),
        "kata": "01_basics",
        "only": ["1.1"],
    }
