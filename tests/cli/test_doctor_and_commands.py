"""`katas doctor`'s failure lines, `--help` everywhere, and the `katas hub` wiring."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfkatas.cli import main
from hfkatas.cli.app import parser
from hfkatas.cli.hub import hub

pytestmark = pytest.mark.timeout(120)


def fake_installed(folder: Path, name: str, version: str) -> Path:
    """A dist-info that makes `name` look installed at `version` when first on the path."""
    info = folder / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    return folder


def line_of(output: str, subject: str) -> str:
    """The doctor's line about `subject`, with the fix line below it."""
    lines = output.splitlines()
    index = next(i for i, line in enumerate(lines) if line.split()[1:2] == [subject])
    return "\n".join(lines[index : index + 2])


def test_doctor_passes_on_a_working_setup(katas, home: Path):
    result = katas("doctor")
    assert result.returncode == 0, f"the doctor should find nothing wrong here:\n{result.stdout}"
    for subject in ("python", "torch", "transformers", "peft", "datasets", "huggingface_hub"):
        assert line_of(result.stdout, subject).startswith("ok"), f"{subject} should be ok"
    assert "model zoo" in result.stdout and "free disk" in result.stdout


def test_doctor_names_an_unsupported_version_and_how_to_fix_it(katas, tmp_path: Path):
    fakes = fake_installed(tmp_path / "fakes", "peft", "0.1.0")
    result = katas("doctor", env={"PYTHONPATH": str(fakes)})
    assert result.returncode == 1, "a library outside the supported range must exit 1"
    line = line_of(result.stdout, "peft")
    assert line.startswith("FAIL") and "0.1.0 is outside the supported range" in line, (
        f"the failure line must name the installed version and the range:\n{line}"
    )
    assert 'fix: pip install "peft>=' in line, f"the line must say how to fix it:\n{line}"


def test_doctor_reports_an_unbuilt_model_zoo_with_the_command_that_builds_it(katas, tmp_path: Path):
    empty_home = tmp_path / "empty-home"
    result = katas("doctor", env={"KATAS_HOME": str(empty_home)})
    line = line_of(result.stdout, "model")
    assert line.startswith("warn") and "0/" in line and "not built yet" in line, (
        f"an empty zoo must be reported:\n{line}"
    )
    assert "fix: `katas setup`" in line, "the fix must name the command"


@pytest.mark.parametrize(
    "command", ["list", "setup", "check", "hint", "watch", "reset", "solution", "doctor", "hub"]
)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as ended:
        main([command, "--help"])
    assert ended.value.code == 0, f"`katas {command} --help` should exit 0"
    assert "usage: katas" in capsys.readouterr().out, f"`katas {command} --help` shows usage"


def test_every_command_is_in_the_main_help():
    text = parser().format_help()
    for command in (
        "list",
        "setup",
        "check",
        "hint",
        "watch",
        "reset",
        "solution",
        "doctor",
        "hub",
    ):
        assert command in text, f"`katas --help` must list {command}"


def test_hub_serve_gets_a_default_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    seen: list[list[str]] = []
    monkeypatch.setattr("hfkatas.hub.cli.main", lambda argv: seen.append(argv) or 0)
    assert hub(["serve", "--port", "0"], tmp_path) == 0
    assert seen[-1] == ["serve", "--port", "0", "--data", str(tmp_path / "hub")], (
        "`katas hub serve` must keep its repos in .katas/hub unless --data is given"
    )
    hub(["serve", "--data", "elsewhere"], tmp_path)
    assert seen[-1] == ["serve", "--data", "elsewhere"], "an explicit --data must be kept"


def test_doctor_flags_a_library_in_another_version_than_the_tested_one(monkeypatch):
    from hfkatas.cli import doctor
    from hfkatas.paths import repo_root

    installed = doctor.metadata.version
    monkeypatch.setattr(
        doctor.metadata, "version", lambda name: "0.0.1" if name == "peft" else installed(name)
    )
    findings = doctor.check_tested_versions(repo_root())
    assert [finding.subject for finding in findings] == ["peft (tested)"], findings
    assert "0.0.1 installed, CI tested" in findings[0].detail
    assert "pip install -c constraints.txt" in findings[0].fix, "the fix must install the lock"
