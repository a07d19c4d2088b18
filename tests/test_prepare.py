"""Set-up once, offline afterwards: `katas setup`'s steps, the pytest hook, and pip kept offline."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hfkatas.data import movie_reviews
from hfkatas.paths import katas_home
from hfkatas.setup import prepare
from hfkatas.zoo import catalog, hubcache

pytestmark = pytest.mark.timeout(60)

NEEDS_DATA = """
import pytest

@pytest.fixture
def records():
    from hfkatas.data.movie_reviews import raw_records
    return raw_records()

def test_reads_the_reviews(records):
    assert len(records) > 10_000
"""


def test_tests_run_with_pip_offline(tmp_path: Path):
    """The suite's offline proof: whatever a test tried to fetch with pip would fail here."""
    fetched = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(tmp_path), "six"],
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )
    assert fetched.returncode != 0 and not list(tmp_path.iterdir()), (
        "pip reached an index during the test session: the hf-katas hook must switch it offline"
    )


def test_after_setup_nothing_is_left_to_fetch():
    """What `katas setup` prepared is all the suite needs: no step would need the network."""
    needed = [step.name for step in prepare.pending(katas_home()) if step.needs_network()]
    assert not needed, f"run `katas setup` first; these would need the network: {needed}"


def test_a_piece_needing_the_network_names_the_command(tmp_path: Path):
    todo = prepare.pending(tmp_path, roles=(), data=True)
    assert [step.name for step in todo] == [prepare.steps(tmp_path, roles=())[0].name]
    with pytest.raises(prepare.NeedsSetupError, match=r"movie-review data.*Run `katas setup`"):
        prepare.run_offline(todo)
    assert not movie_reviews.is_ready(tmp_path), "nothing may be half-prepared"


@pytest.fixture
def checkout_running(
    sample_checkout: Path, run_pytest: Callable[..., subprocess.CompletedProcess[str]]
) -> Callable[[Path], subprocess.CompletedProcess[str]]:
    """Run pytest on a test that needs the movie reviews, in the sample checkout, with `home`."""
    (sample_checkout / "test_needs_data.py").write_text(NEEDS_DATA)
    return lambda home: run_pytest("test_needs_data.py", timeout=50, env={"KATAS_HOME": str(home)})


def test_the_hook_stops_with_one_line_when_setup_never_ran(checkout_running, tmp_path: Path):
    result = checkout_running(tmp_path / "empty-home")
    output = result.stdout + result.stderr
    assert result.returncode == 4, output
    assert "Run `katas setup` once with the network on" in output, output
    assert "test_reads_the_reviews" not in output.split("Run `katas setup`")[0], (
        "no test may start before the missing piece is reported"
    )


def test_the_hook_prepares_from_local_files_before_the_first_test(checkout_running, tmp_path):
    home = tmp_path / "home"
    (home / "downloads").mkdir(parents=True)
    sdist = next((katas_home() / "downloads").glob("vader*-3.3.2.tar.gz"))
    shutil.copy(sdist, home / "downloads" / sdist.name)
    result = checkout_running(home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "hf-katas: preparing movie-review data" in result.stdout
    assert movie_reviews.is_ready(home)


def test_a_build_interrupted_or_killed_leaves_nothing_half_built(tmp_path: Path):
    def interrupted(folder: Path) -> None:
        (folder / "model.safetensors").write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        hubcache.install(tmp_path, "org/model", "a" * 40, interrupted)
    assert hubcache.cached_snapshot(tmp_path, "org/model", "a" * 40) is None
    assert not list(tmp_path.glob(".katas-build-*")), "Ctrl-C must remove the staging folder"

    killed = tmp_path / ".katas-build-models--org--model-xyz"  # what `kill -9` leaves behind
    killed.mkdir()
    snapshot = hubcache.install(
        tmp_path, "org/model", "a" * 40, lambda f: (f / "w").write_text("1")
    )
    assert (snapshot / "w").read_text() == "1" and not killed.exists()


def test_the_zoo_rebuilds_when_the_libraries_that_built_it_change(monkeypatch, tmp_path):
    recipe = catalog.CATALOG["tiny-seq2seq"]
    before = recipe.revision
    versions = {**catalog.built_with(), "transformers": "0.0.1"}
    monkeypatch.setattr(catalog, "built_with", lambda: versions)
    assert recipe.revision != before, "the library versions must be part of the cache key"
    hub_cache = tmp_path / "hf_home" / "hub"
    hubcache.install(hub_cache, recipe.repo_id, before, lambda f: (f / "w").write_text("old"))
    assert [s.name for s in prepare.pending(tmp_path, ["tiny-seq2seq"], data=False)], (
        "a model built by other library versions must count as not built"
    )


ENDLESS_STUB = '''

def spin() -> int:
    """A learner's loop that never ends."""
    while True:
        pass
'''
ENDLESS_TEST = """
import pytest


@pytest.mark.task("99.1")
@pytest.mark.timeout(2)
def test_spin(kata):
    assert kata.spin() == 1
"""


def test_an_endless_loop_fails_on_its_timeout_with_one_line(sample_checkout: Path, run_pytest):
    """Timeouts are safety nets: generous for correct code, yet a stub that never returns still
    fails, on one line that names the task and the timeout."""
    kata_dir = sample_checkout / "katas" / "99_smoke"
    with (kata_dir / "smoke.py").open("a") as stub:
        stub.write(ENDLESS_STUB)
    (kata_dir / "test_spin.py").write_text(ENDLESS_TEST)
    result = run_pytest("katas/99_smoke/test_spin.py", timeout=50)
    lines = [line for line in result.stdout.splitlines() if "task 99.1" in line]
    assert result.returncode == 1, result.stdout + result.stderr
    assert any("Timeout" in line and "2.0s" in line for line in lines), result.stdout


def test_setup_again_is_a_quick_no_op_offline(capsys: pytest.CaptureFixture[str]):
    """Idempotent: once everything is there, `katas setup` checks and says so (pip is offline)."""
    from hfkatas.cli import main

    assert main(["setup"]) == 0
    assert "Everything is ready" in capsys.readouterr().out
