"""pytest hook: prepare what the selected tests need before the first one runs.

Zoo models and data are built here, outside every per-test timeout, with one progress line; a
piece that needs the network ends the run with one line naming `katas setup`. pip is switched
offline for the rest of the session, so a test that tried to install something would fail: the
suite passing is the proof that everything it needs was prepared beforehand.
"""

from __future__ import annotations

import os

import pytest

from hfkatas.paths import katas_home
from hfkatas.plugin.isolation import UNREACHABLE_ENDPOINT

# Fixtures whose tests need the zoo's catalog models, or the movie-review data.
ZOO_FIXTURES = frozenset({"zoo"})
DATA_FIXTURES = frozenset({"records", "real_sdist"})
PIP_OFFLINE = {"PIP_NO_INDEX": "1", "PIP_INDEX_URL": f"{UNREACHABLE_ENDPOINT}/simple"}
SETUP_MISSING_EXIT = 4  # like a usage error: the tests could not run


def _pip_offline(config: pytest.Config) -> None:
    saved = {name: os.environ.get(name) for name in PIP_OFFLINE}
    os.environ.update(PIP_OFFLINE)

    def restore() -> None:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    config.add_cleanup(restore)


def pytest_collection_finish(session: pytest.Session) -> None:
    config = session.config
    if config.option.collectonly:
        return
    _pip_offline(config)
    fixtures = {name for item in session.items for name in getattr(item, "fixturenames", ())}
    if not fixtures & (ZOO_FIXTURES | DATA_FIXTURES):
        return
    from hfkatas.setup import prepare
    from hfkatas.zoo.catalog import CATALOG

    overridden = {text.partition("=")[0].strip() for text in config.getoption("--model", [])}
    roles = [role for role in CATALOG if role not in overridden] if fixtures & ZOO_FIXTURES else []
    todo = prepare.pending(katas_home(), roles, data=bool(fixtures & DATA_FIXTURES))
    if not todo:
        return
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        names = ", ".join(step.label for step in todo)
        reporter.write_line(f"hf-katas: preparing {names}, once, before the first test ...")
    try:
        prepare.run_offline(todo)
    except prepare.NeedsSetupError as error:
        pytest.exit(f"hf-katas: {error}", returncode=SETUP_MISSING_EXIT)
