"""What the `katas` command (`client.py`) and the warm worker (`server.py`) say to each other.

One JSON object a line, on the worker's stdin / stdout or on its Unix socket:
    worker -> {"event": "ready", "root": "..."}
    client -> {"args": [pytest arguments], "log": "file for pytest's own output",
               "kata": "NN_topic", "solutions": "learner", "only": [task ids], "skip": [...]}
    worker -> {"event": "collected", "count": N}, {"event": "test", ...}, ...,
              {"event": "exit", "code": N}
A solution file that does not import answers {"event": "import_error", "message", "next"}
instead of running pytest. A line that is not a request is ignored: the worker keeps serving.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

Event = dict[str, object]
READY, COLLECTED, TEST, IMPORT_ERROR, EXIT = "ready", "collected", "test", "import_error", "exit"


def event_line(event: str, **fields: object) -> str:
    """One event as the line the worker writes."""
    return json.dumps({"event": event, **fields}) + "\n"


def request_line(args: list[str], log: Path, **fields: object) -> str:
    """One run request (pytest's `args`, where its output goes, and the run's other fields)."""
    return json.dumps({"args": args, "log": str(log), **fields}) + "\n"


def parse_request(line: bytes | str) -> dict | None:
    """The request a line holds, or None when it is not one."""
    try:
        request = json.loads(line)
    except ValueError:
        return None
    return request if isinstance(request, dict) and isinstance(request.get("args"), list) else None


def parse_event(line: str) -> Event:
    """The event a line from the worker holds (an empty line reads as `{}`)."""
    event = json.loads(line or "{}")
    if not isinstance(event, dict):
        raise ValueError(f"not a worker event: {line!r}")
    return event


def socket_path(home: Path) -> Path:
    """Where a listening worker answers: in KATAS_HOME, or in the temp folder when that path
    is too long for a Unix socket."""
    path = home / "worker.sock"
    if len(str(path)) < 100:
        return path
    digest = hashlib.sha1(str(home).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"katas-{os.getuid()}-{digest}.sock"
