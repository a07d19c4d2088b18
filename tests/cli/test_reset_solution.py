"""`katas reset` never loses work; `katas solution` opens only once the kata passes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(180)


def shipped(checkout: Path, relative: str) -> str:
    """The file as committed in the course's git history."""
    return subprocess.run(
        ["git", "show", f"HEAD:{relative}"],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout


def backups(home: Path) -> list[Path]:
    folder = home / "backups"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_reset_without_confirmation_changes_nothing(katas, solve, home: Path):
    mine = solve("01")
    before = mine.read_text()
    result = katas("reset", "01")
    assert result.returncode == 3, f"an unconfirmed reset must exit 3:\n{result.stdout}"
    assert mine.read_text() == before, "an unconfirmed reset must leave the learner's file alone"
    assert "--yes" in result.stdout, "the learner must be told how to confirm"
    assert backups(home) == [], "nothing was reset, so nothing needs a backup"


def test_reset_restores_the_stub_and_keeps_a_backup(katas, solve, checkout: Path, home: Path):
    mine = solve("01")
    work = mine.read_text()
    katas("check", "01")
    result = katas("reset", "01", "--yes")
    assert result.returncode == 0, f"a confirmed reset must succeed:\n{result.stderr}"
    assert mine.read_text() == shipped(checkout, "katas/01_basics/basics.py"), (
        "reset must put back the stub exactly as shipped"
    )
    saved = backups(home)
    assert [p.name for p in saved] == ["basics.py"] and saved[0].read_text() == work, (
        "the learner's version must be saved in .katas/backups/ before it is replaced"
    )
    assert str(saved[0].parents[2]) in result.stdout, "the learner must be told where it is"
    assert "0/2" in katas("list").stdout, "after a reset the kata's old result is forgotten"


def test_reset_of_one_task_keeps_the_other_tasks_work(katas, solve, checkout: Path):
    mine = solve("01")
    result = katas("reset", "1.1", "--yes")
    assert result.returncode == 0, f"`katas reset 1.1 --yes` failed:\n{result.stderr}"
    text = mine.read_text()
    stub = shipped(checkout, "katas/01_basics/basics.py")
    assert "# TODO 1.1" in text and "raise NotImplementedError" in text, "task 1.1 is a stub again"
    assert "return text.upper()" in text and "# TODO 1.2" not in text, (
        "resetting task 1.1 must keep the learner's solution of task 1.2"
    )
    assert text != stub, "only one task was reset, not the whole file"


def test_reset_all_restores_every_kata(katas, solve, checkout: Path):
    solve("01")
    solve("02")
    assert katas("reset", "--all", "--yes").returncode == 0, "`katas reset --all --yes` failed"
    for relative in ("katas/01_basics/basics.py", "katas/02_tokens/tokens.py"):
        assert (checkout / relative).read_text() == shipped(checkout, relative), (
            f"{relative} should be back to the stub after `reset --all`"
        )


def test_solution_stays_locked_until_the_kata_passes(katas, solve, checkout: Path):
    reference_line = "return text.upper()"
    locked = katas("solution", "01")
    assert locked.returncode == 1, "the solution of a failing kata must stay locked: status 1"
    assert reference_line not in locked.stdout, "a locked solution must not leak"
    assert "--force" in locked.stdout, "the learner must be told how to see it anyway"
    forced = katas("solution", "01", "--force")
    assert forced.returncode == 0 and "warning" in forced.stdout, "--force warns, then shows it"
    assert f"+    {reference_line}" in forced.stdout, "the solution is a diff against my file"
    solve("01", "add", "shout")
    unlocked = katas("solution", "01")
    assert unlocked.returncode == 0, f"a passing kata opens its solution:\n{unlocked.stdout}"
    assert "the same as the reference" in unlocked.stdout, (
        f"the reference's own code, docstrings aside, has nothing to show:\n{unlocked.stdout}"
    )


def test_solution_shows_one_task_and_leaves_out_docstring_only_changes(katas, solve):
    mine = solve("01")
    text = mine.read_text().replace('"""Return a + b."""', '"""My own words about adding."""')
    mine.write_text(text.replace("return text.upper()", "return str.upper(text)"))
    whole = katas("solution", "01")
    assert whole.returncode == 0, whole.stdout
    assert "-    return str.upper(text)\n+    return text.upper()" in whole.stdout, whole.stdout
    assert "My own words" not in whole.stdout, (
        f"a function that differs only in its docstring is left out:\n{whole.stdout}"
    )
    for args in (("1.2",), ("01", "--task", "1.2"), ("01", "--task", "2")):
        one = katas("solution", *args)
        assert "return text.upper()" in one.stdout and "def add" not in one.stdout, (
            f"`katas solution {' '.join(args)}` shows task 1.2's function only:\n{one.stdout}"
        )
    assert "the same as the reference" in katas("solution", "1.1").stdout, (
        "task 1.1's code is the reference's (docstring aside)"
    )
    full = katas("solution", "01", "--docstrings")
    assert "My own words" in full.stdout, "--docstrings shows docstring changes too"


def add_second_file(checkout: Path) -> Path:
    """Give kata 02 a script, `count.py`, holding task 2.3 (as kata 04 has `predict.py`)."""
    kata, reference = checkout / "katas/02_tokens", checkout / "reference/02_tokens"
    manifest = kata / "kata.toml"
    manifest.write_text(
        manifest.read_text().replace('files = ["tokens.py"]', 'files = ["tokens.py", "count.py"]')
        + '\n[[task]]\nid = "2.3"\ntitle = "A script"\nfile = "count.py"\nhint = "argv"\n'
    )
    readme = kata / "README.md"
    readme.write_text(readme.read_text() + "\n### Task 2.3 · A script\n")
    stub = (
        'def main() -> None:\n    """Print it."""\n    # TODO 2.3\n    raise NotImplementedError\n'
    )
    (kata / "count.py").write_text(stub)
    (reference / "count.py").write_text('def main() -> None:\n    """Print it."""\n    print(2)\n')
    for args in (["add", "-A"], ["commit", "-qm", "a second solution file"]):
        subprocess.run(
            ["git", "-c", "user.email=a@example.com", "-c", "user.name=A", *args],
            cwd=checkout,
            check=True,
            timeout=30,
        )
    return kata / "count.py"


def test_reset_and_solution_cover_every_solution_file(katas, checkout: Path):
    script = add_second_file(checkout)
    script.write_text('def main() -> None:\n    """Print it."""\n    print("mine")\n')
    mine = (checkout / "katas/02_tokens/tokens.py").read_text()
    result = katas("reset", "2.3", "--yes")
    assert result.returncode == 0, f"`katas reset 2.3 --yes` failed:\n{result.stdout}"
    assert "katas/02_tokens/count.py: main() goes back to the stub of task 2.3" in result.stdout
    assert "# TODO 2.3" in script.read_text(), "task 2.3 lives in count.py: its stub is back"
    assert (checkout / "katas/02_tokens/tokens.py").read_text() == mine, "tokens.py untouched"
    forced = katas("solution", "02", "--force").stdout
    assert "katas/02_tokens/tokens.py (yours)" in forced, "the diff shows the main module"
    assert "katas/02_tokens/count.py (yours)" in forced and "+    print(2)" in forced, (
        "the diff shows every solution file"
    )
