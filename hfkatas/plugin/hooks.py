"""The pytest plugin behind every kata test run.

- `--solutions=learner|reference` picks whose code the `kata` fixture hands to the tests.
- Failures become one line in the learner's terms; the run ends with `NN_topic: 3/7 tasks pass`.
- `--dev-check` inverts the verdict: every test must fail *on the pristine stub*; each kata's
  shipped mistakes must be caught with their message, its correct alternatives must pass
  (`hfkatas.plugin.dev_check`).
- The session is isolated from the learner's Hugging Face cache and tokens, and offline.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest

from hfkatas.course.curriculum import Kata, kata_for_path
from hfkatas.course.variants import ALTERNATIVE, Variant
from hfkatas.paths import katas_home, repo_root
from hfkatas.plugin import isolation, netguard
from hfkatas.plugin.dev_check import (
    VARIANT_FIXTURE,
    VariantRuns,
    parse_selection,
    summary_lines,
    variant_id,
    variant_of,
    verdict_items,
)
from hfkatas.plugin.failures import NOT_IMPLEMENTED, classify, render
from hfkatas.plugin.results import KataResult, TaskResult, save, task_of
from hfkatas.plugin.shown import recorded
from hfkatas.plugin.shown import summary_lines as shown_lines
from hfkatas.plugin.solutions import SOLUTIONS, import_dependencies, load_solution

if TYPE_CHECKING:
    from hfkatas.zoo import Zoo

# Prepare what the selected tests need before the first test (outside timeouts); free a
# conftest's session fixtures when the run leaves its folder (memory); the kata-testing toolkit's
# fixtures (models, expect_error) and noise filters.
pytest_plugins = [
    "hfkatas.plugin.prepare_hook",
    "hfkatas.plugin.memory_hook",
    "hfkatas.testing.plugin",
]

CUDA_REASON = "needs a CUDA GPU: run `nox -s cuda` on a machine with one"
DEV_CHECK_PASSED = (
    "dev-check: this test passes on the pristine stub, so it cannot tell a missing "
    "implementation from a finished one"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("katas", "hf-katas")
    group.addoption(
        "--solutions",
        choices=SOLUTIONS,
        default=os.environ.get("KATAS_SOLUTIONS", "learner"),
        help="whose code the kata tests run: the learner's stubs in katas/ (default) or reference/",
    )
    group.addoption(
        "--dev-check",
        action="store_true",
        help="kata authors: pass only if every test fails on the pristine stubs, every shipped "
        "mistake is caught with its message and every shipped alternative passes",
    )
    group.addoption(
        "--variants",
        default="stubs,mistakes,alternatives",
        metavar="KINDS",
        help="with --dev-check: which runs to make (comma-separated: stubs, mistakes, alternatives)",
    )
    group.addoption(
        "--model",
        action="append",
        default=[],
        metavar="ROLE=REPO_ID",
        help="opt in to the real Hub: use REPO_ID for a zoo role (e.g. chat=HuggingFaceTB/SmolLM2-360M-Instruct)",
    )
    group.addoption("--kata-report", metavar="PATH", help="write per-task results as JSON")


def _wants_online(argv: list[str]) -> bool:
    """`--model ROLE=REPO_ID` opts in to the real Hub (read from argv: see `_ISOLATION`)."""
    return any(arg == "--model" or arg.startswith("--model=") for arg in argv)


def _isolate_on_import() -> tuple[Path, list[str]]:
    """Isolate when the root conftest loads this plugin: before any kata's conftest.py (pytest
    imports those before `pytest_configure`) can import transformers with the learner's settings."""
    root = repo_root()
    home = katas_home(root)
    already_isolated = os.environ.get("HF_HOME") == str(home / "hf_home")
    early = isolation.isolate(home, online=_wants_online(sys.argv))
    return root, [] if already_isolated else early


_ROOT, _EARLY_IMPORTS = _isolate_on_import()


def pytest_configure(config: pytest.Config) -> None:
    overrides = dict(_parse_override(text) for text in config.getoption("--model"))
    if config.getoption("--dev-check"):
        config.option.solutions = "learner"
    if _EARLY_IMPORTS:
        config.issue_config_time_warning(
            pytest.PytestConfigWarning(
                f"{', '.join(_EARLY_IMPORTS)} imported before hf-katas isolated the environment: "
                "HF_HOME / offline settings may not apply"
            ),
            stacklevel=2,
        )
    if not overrides:
        netguard.install()
    state = _State(_ROOT, config.getoption("--solutions"), overrides)
    if config.getoption("--dev-check"):
        state.variants = VariantRuns(parse_selection(config.getoption("--variants")))
    config.stash[_STATE] = state


def pytest_unconfigure(config: pytest.Config) -> None:
    netguard.uninstall()
    state = config.stash.get(_STATE, None)
    if state is not None and state.variants is not None:
        state.variants.cleanup()


def _parse_override(text: str) -> tuple[str, str]:
    role, sep, repo_id = text.partition("=")
    if not sep or not role or not repo_id:
        raise pytest.UsageError(f"--model expects ROLE=REPO_ID, got {text!r}")
    return role.strip(), repo_id.strip()


class _State:
    """What the plugin keeps for one session."""

    def __init__(self, root: Path, solutions: str, overrides: dict[str, str]) -> None:
        self.root = root
        self.solutions = solutions
        self.overrides = overrides
        self.results: dict[str, KataResult] = {}
        self.outcomes: dict[str, tuple[Kata, str, str, str]] = {}
        self.variants: VariantRuns | None = None
        self.verdicts: list[Variant] = []
        self.owners: dict[str, dict[str, tuple[str, ...]]] = {}


_STATE = pytest.StashKey[_State]()


def _kata_of(item: pytest.Item) -> Kata | None:
    return kata_for_path(Path(str(item.path)), item.config.stash[_STATE].root)


def _owners(state: _State, kata: Kata) -> dict[str, tuple[str, ...]]:
    """The tasks of each definition in the kata's shipped stubs (read from git once)."""
    if kata.slug not in state.owners:
        from hfkatas.cli.pristine import shipped_todo_tasks

        state.owners[kata.slug] = {
            name: tasks
            for owners in shipped_todo_tasks(state.root, kata).values()
            for name, tasks in owners.items()
        }
    return state.owners[kata.slug]


# ---------------------------------------------------------------- fixtures


def _kata_under_test(request: pytest.FixtureRequest) -> tuple[Kata, str]:
    """The kata a requesting test belongs to, and whose solutions run."""
    state = request.config.stash[_STATE]
    found = kata_for_path(Path(str(request.path)), state.root)
    if found is None:
        raise pytest.UsageError(
            f"the `{request.fixturename}` fixture only works in kata tests, not {request.path}"
        )
    return found, state.solutions


@pytest.fixture
def kata_variant() -> object:
    """Under `--dev-check`, the stub or the shipped mistake / alternative a test runs with."""
    return None


@pytest.fixture
def kata(request: pytest.FixtureRequest, kata_variant: object) -> ModuleType:
    """The module under test: the learner's `katas/NN/topic.py` or `reference/NN/topic.py`."""
    found, solutions = _kata_under_test(request)
    if isinstance(kata_variant, Variant):
        return _variant_runs(request).module(kata_variant, found)
    return load_solution(found, solutions)


@pytest.fixture
def kata_dir(request: pytest.FixtureRequest, kata_variant: object) -> Path:
    """The folder of the solutions under test (for scripts a kata runs as a subprocess)."""
    found, solutions = _kata_under_test(request)
    if isinstance(kata_variant, Variant):
        return _variant_runs(request).folder_of(kata_variant, found)
    return found.solution_dir(solutions)


def _variant_runs(request: pytest.FixtureRequest) -> VariantRuns:
    runs = request.config.stash[_STATE].variants
    assert runs is not None, "variants run only under --dev-check"
    return runs


@pytest.fixture(scope="session")
def zoo(pytestconfig: pytest.Config) -> Zoo:
    """The model zoo: `zoo.repo_id("chat")` builds (once) and returns a loadable repo id."""
    from hfkatas.testing.quiet import settle_process
    from hfkatas.zoo import Zoo

    settle_process()
    state = pytestconfig.stash[_STATE]
    return Zoo(katas_home(state.root), overrides=state.overrides)


# ---------------------------------------------------------------- collection


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Under --dev-check, run each kata test on the stub and on the variants of its task."""
    runs = metafunc.config.stash[_STATE].variants
    if runs is None or VARIANT_FIXTURE not in metafunc.fixturenames:
        return
    found = kata_for_path(Path(str(metafunc.definition.path)), metafunc.config.stash[_STATE].root)
    task_id = task_of(metafunc.definition)
    if found is None or not task_id:
        return
    params = runs.for_test(found, task_id, metafunc.function.__name__)
    metafunc.parametrize(VARIANT_FIXTURE, params, ids=[variant_id(p) for p in params])


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    _skip_cuda_without_gpu(items)
    state = config.stash[_STATE]
    if state.variants is not None:
        verdicts = verdict_items(session, items, state.variants)
        state.verdicts = [item.variant for item in verdicts]  # type: ignore[attr-defined]
        items.extend(verdicts)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Import the libraries the selected katas' solution files use, outside any test's timeout."""
    state = session.config.stash[_STATE]
    katas = {kata.slug: kata for item in session.items if (kata := _kata_of(item))}
    for kata in katas.values():
        import_dependencies(kata, state.solutions)
        if state.variants is not None:
            import_dependencies(kata, "reference")


def _skip_cuda_without_gpu(items: list[pytest.Item]) -> None:
    if not any(item.get_closest_marker("cuda") for item in items):
        return
    import torch

    if torch.cuda.is_available():
        return
    for item in items:
        if item.get_closest_marker("cuda"):
            item.add_marker(pytest.mark.skip(reason=CUDA_REASON))


# ---------------------------------------------------------------- reporting


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    if call.excinfo is not None and item.config.pluginmanager.hasplugin("timeout"):
        # Rendering a failure can take a while (large tracebacks on a busy machine): the safety
        # timeout must never fire inside pytest's reporting, where it would end the session.
        item.config.hook.pytest_timeout_cancel_timer(item=item)
    report: pytest.TestReport = yield
    found = _kata_of(item)
    if found is None or not task_of(item):
        return report
    state = item.config.stash[_STATE]
    task_id = task_of(item)
    task = found.task(task_id)
    message = ""
    variant = variant_of(item)
    if isinstance(variant, Variant):
        return _variant_report(state, item, variant, call, report)
    if call.excinfo is not None and report.failed:
        failure = classify(call.excinfo, state.root)
        hint, title = (task.hint, task.title) if task else ("", "")
        message = render(task_id, failure, hint, title, _owners(state, found))
        if item.config.getoption("--dev-check"):
            if call.when == "call" and failure.kind == NOT_IMPLEMENTED:
                report.outcome, report.longrepr, message = "passed", None, ""
            else:
                report.longrepr = f"dev-check: fails on the stub for another reason: {message}"
        elif item.config.option.tbstyle == "auto":
            report.longrepr = message
    elif report.passed and call.when == "call" and item.config.getoption("--dev-check"):
        report.outcome, report.longrepr = "failed", DEV_CHECK_PASSED
        message = DEV_CHECK_PASSED
    _remember(state, item, found, task_id, report, message)
    return report


def _variant_report(
    state: _State,
    item: pytest.Item,
    variant: Variant,
    call: pytest.CallInfo[None],
    report: pytest.TestReport,
) -> pytest.TestReport:
    """A mistake's failing test is the expected outcome (its verdict item judges the message);
    an alternative's failing test stays a failure that says a correct solution was rejected."""
    assert state.variants is not None
    failed = call.excinfo is not None and report.failed
    message = classify(call.excinfo, state.root).message if failed and call.excinfo else ""
    state.variants.record(variant, item.nodeid, failed, message)
    if failed and variant.kind == ALTERNATIVE:
        report.longrepr = f"{variant.label} ({variant.learner}) is correct but rejected: {message}"
    elif failed:
        report.outcome, report.longrepr = "passed", None
    return report


def _remember(
    state: _State,
    item: pytest.Item,
    kata: Kata,
    task_id: str,
    report: pytest.TestReport,
    message: str,
) -> None:
    """Keep each test's worst outcome across setup / call / teardown."""
    previous = state.outcomes.get(item.nodeid)
    if previous and previous[2] == "failed":
        return
    if report.when == "call" or report.outcome != "passed" or previous is None:
        state.outcomes[item.nodeid] = (kata, task_id, report.outcome, message)


def pytest_sessionfinish(session: pytest.Session) -> None:
    state = session.config.stash.get(_STATE, None)
    if state is None:
        return
    shown = {item.nodeid: recorded(item.user_properties) for item in session.items}
    for nodeid, (kata, task_id, outcome, message) in state.outcomes.items():
        result = state.results.setdefault(kata.slug, KataResult(kata.slug))
        for task in kata.tasks:
            result.tasks.setdefault(task.id, TaskResult(task.id, task.title))
        task_result = result.tasks.setdefault(task_id, TaskResult(task_id))
        task_result.record(outcome, message, shown.get(nodeid, []))
    if path := session.config.getoption("--kata-report"):
        save(Path(path), state.solutions, state.results)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    state = terminalreporter.config.stash.get(_STATE, None)
    if state and state.variants is not None and state.verdicts:
        terminalreporter.section("hf-katas shipped mistakes and alternatives", sep="-")
        for line in summary_lines(state.variants, state.verdicts):
            terminalreporter.write_line(line)
    if not state or not state.results:
        return
    mode = "dev-check" if terminalreporter.config.getoption("--dev-check") else state.solutions
    terminalreporter.section(f"hf-katas ({mode} solutions)", sep="-")
    for slug in sorted(state.results):
        terminalreporter.write_line(state.results[slug].line())
        for line in shown_lines(state.results[slug]):
            terminalreporter.write_line(line)
