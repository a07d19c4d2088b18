"""pytest hook: free a conftest's session fixtures once the run leaves that conftest's folder.

A kata's conftest.py loads its models once per session (SmolLM2 in four precisions for kata 03,
for instance). Only tests under that folder can use them, yet pytest keeps them until the whole
run ends, so every kata's models would add up. They are released when the next test lies outside
the folder (a run that comes back, e.g. in random order, loads them again), which keeps the
whole suite within a laptop's memory.

With `--durations`, the summary also names the test during which peak resident memory was
reached (this process only: subprocesses such as torchrun workers are not counted).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import resource
import sys

import pytest

_LIVE = pytest.StashKey[dict[int, pytest.FixtureDef]]()
_PEAK = pytest.StashKey[tuple[int, str]]()


def _inside(nodeid: str, folder: str) -> bool:
    return nodeid.startswith(f"{folder}/")


def _peak_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports kilobytes


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    peak = _peak_bytes()
    if peak > item.config.stash.get(_PEAK, (0, ""))[0]:
        item.config.stash[_PEAK] = (peak, item.nodeid)
    live = item.config.stash.setdefault(_LIVE, {})
    fixture_info = getattr(item, "_fixtureinfo", None)
    used = fixture_info.name2fixturedefs.values() if fixture_info else ()
    for fixturedefs in used:
        for fixturedef in fixturedefs:
            if fixturedef.scope == "session" and fixturedef.baseid:
                live[id(fixturedef)] = fixturedef
    if nextitem is None:
        return  # the end of the session tears everything down anyway
    leaving = [d for d in live.values() if not _inside(nextitem.nodeid, d.baseid)]
    for fixturedef in leaving:
        del live[id(fixturedef)]
        fixturedef.finish(item._request)  # type: ignore[attr-defined]
    if leaving:
        gc.collect()
        _return_freed_memory()


def _return_freed_memory() -> None:
    """Hand the freed heap back to the system (glibc keeps it otherwise); a no-op elsewhere."""
    if sys.platform.startswith("linux") and (libc := ctypes.util.find_library("c")):
        ctypes.CDLL(libc).malloc_trim(0)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    config = terminalreporter.config
    if config.getoption("durations", None) is None or _PEAK not in config.stash:
        return
    peak, nodeid = config.stash[_PEAK]
    terminalreporter.write_line(f"peak resident memory: {peak / 1e9:.2f} GB, reached in {nodeid}")
