"""The pytest plugin as a learner meets it: switch, one-line failures, summary, dev-check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

KATA = "katas/99_smoke"
pytestmark = pytest.mark.timeout(180)


def write_learner(checkout: Path, source: str) -> None:
    (checkout / KATA / "smoke.py").write_text(source, encoding="utf-8")


def test_stubs_fail_with_one_line_per_task_and_a_hint(run_pytest):
    result = run_pytest(KATA)
    out = result.stdout
    assert result.returncode == 1, out
    assert "task 99.1 add: not implemented yet — hint: Use `+`." in out
    assert "`katas hint 99.1` for more" in out
    assert "99_smoke: 0/3 tasks pass" in out
    assert "Traceback" not in out and "site-packages" not in out, out


def test_reference_passes_and_report_is_written(run_pytest, sample_checkout):
    result = run_pytest("--solutions=reference", KATA, "--kata-report", "report.json")
    assert result.returncode == 0, result.stdout
    assert "99_smoke: 3/3 tasks pass" in result.stdout
    report = json.loads((sample_checkout / "report.json").read_text())
    assert report["solutions"] == "reference"
    assert {t["status"] for t in report["katas"]["99_smoke"].values()} == {"pass"}


def test_dev_check_passes_on_stubs_and_flags_a_test_the_stub_passes(run_pytest, sample_checkout):
    assert run_pytest("--dev-check", KATA).returncode == 0
    test_file = sample_checkout / KATA / "test_smoke.py"
    test_file.write_text(
        test_file.read_text()
        + "\n\n@pytest.mark.task('99.1')\ndef test_cannot_fail(kata):\n    assert True\n"
    )
    result = run_pytest("--dev-check", KATA)
    assert result.returncode == 1
    assert "passes on the pristine stub" in result.stdout


def test_assert_message_is_shown_in_learner_terms(run_pytest, sample_checkout):
    reference = (sample_checkout / "reference/99_smoke/smoke.py").read_text()
    write_learner(sample_checkout, reference.replace("tokenizer.pad_token = ", "_ = "))
    result = run_pytest(KATA)
    assert "task 99.2 A tokenizer ready for batches: the tokenizer has no pad token: set it" in (
        result.stdout
    )
    assert "99_smoke: 2/3 tasks pass" in result.stdout


def test_unknown_repo_id_lists_the_zoo(run_pytest, sample_checkout):
    reference = (sample_checkout / "reference/99_smoke/smoke.py").read_text()
    write_learner(
        sample_checkout,
        reference.replace("from_pretrained(repo_id)", 'from_pretrained("gpt2")'),
    )
    out = run_pytest(KATA, "-k", "causal_lm").stdout
    assert "'gpt2' is not in the offline model zoo" in out, out
    assert "hf-katas/tiny-llama" in out and "HuggingFaceTB/SmolLM2-135M-Instruct" in out
    assert "raised at katas/99_smoke/smoke.py" in out


def test_syntax_error_and_missing_function_are_named(run_pytest, sample_checkout):
    write_learner(sample_checkout, "def add(a, b)\n    return a + b\n")
    out = run_pytest(KATA, "-k", "add").stdout
    assert "katas/99_smoke/smoke.py has a syntax error on line 1" in out, out
    write_learner(sample_checkout, "def add(a, b):\n    return a + b\n")
    out = run_pytest(KATA, "-k", "causal_lm").stdout
    assert "the kata file has no `load_causal_lm`" in out, out


EARLIER_TASK_BODIES = {
    "raise NotImplementedError": "needs your `load_padded_tokenizer` from task 99.2, which is not "
    "implemented yet: finish task 99.2 first",
    'raise ValueError("no pad token")': "ValueError: no pad token (in your "
    "`load_padded_tokenizer` from task 99.2: make task 99.2 pass first)",
}


@pytest.mark.parametrize("body", EARLIER_TASK_BODIES)
def test_a_failure_inside_an_earlier_tasks_function_names_that_task(
    run_pytest, sample_checkout, body
):
    stub = (sample_checkout / KATA / "smoke.py").read_text()
    learner = stub.replace(
        "    # TODO 99.3\n    raise NotImplementedError",
        "    load_padded_tokenizer(repo_id)\n    return None",
    ).replace("    # TODO 99.2\n    raise NotImplementedError", f"    # TODO 99.2\n    {body}")
    write_learner(sample_checkout, learner)
    out = run_pytest(KATA, "-k", "causal_lm").stdout
    assert EARLIER_TASK_BODIES[body] in out, out


def test_network_beyond_loopback_is_refused(run_pytest, sample_checkout):
    write_learner(
        sample_checkout,
        "import socket\n\ndef add(a, b):\n"
        "    socket.create_connection(('203.0.113.1', 80), timeout=2)\n    return a + b\n",
    )
    out = run_pytest(KATA, "-k", "add").stdout
    assert "network access to '203.0.113.1' is blocked" in out, out


def test_the_session_is_isolated_from_the_learners_hf_setup(run_pytest, sample_checkout):
    probe = sample_checkout / KATA / "test_probe.py"
    probe.write_text(
        "import os, pytest\n\n@pytest.mark.task('99.1')\ndef test_env(kata):\n"
        "    print('HF_HOME=' + os.environ['HF_HOME'])\n"
        "    print('OFFLINE=' + os.environ['HF_HUB_OFFLINE'])\n"
        "    print('TOKEN=' + str(os.environ.get('HF_TOKEN')))\n"
    )
    result = run_pytest(str(probe.relative_to(sample_checkout)), "-s", "--solutions=reference")
    assert "OFFLINE=1" in result.stdout and "TOKEN=None" in result.stdout, result.stdout
    assert "/.cache/huggingface" not in result.stdout


VARIANTS = "reference/99_smoke/variants.toml"


def test_dev_check_proves_shipped_mistakes_red_and_alternatives_green(run_pytest):
    result = run_pytest("--dev-check", KATA)
    out = result.stdout
    assert result.returncode == 0, out
    assert (
        "✓ 99_smoke mistake 'no-pad-token': caught by test_pad_token[mistake-no-pad-token]" in out
    )
    assert "✓ 99_smoke alternative 'sum-builtin': passes all 1 tests of task 99.1" in out


def test_dev_check_fails_when_a_mistake_slips_through(run_pytest, sample_checkout):
    variants = sample_checkout / VARIANTS
    variants.write_text(variants.read_text().replace('tasks = ["99.2"]', 'tasks = ["99.3"]'))
    out = run_pytest("--dev-check", KATA, "--variants=mistakes").stdout
    assert (
        "mistake 'no-pad-token' (Loads the tokenizer but never sets a pad token) passes every"
        in out
    )
    assert "1 failed" in out, out


def test_dev_check_fails_when_no_message_names_the_mistake(run_pytest, sample_checkout):
    variants = sample_checkout / VARIANTS
    variants.write_text(variants.read_text().replace('"should be 5"', '"adds the wrong way"'))
    out = run_pytest("--dev-check", KATA, "-k", "subtracts").stdout
    assert "fails, but no message matches /adds the wrong way/" in out, out
    assert "2 + 3 should be 5" in out


def test_dev_check_fails_when_a_correct_alternative_is_rejected(run_pytest, sample_checkout):
    variants = sample_checkout / VARIANTS
    variants.write_text(variants.read_text().replace("sum((a, b))", "sum((a, b, 1))"))
    out = run_pytest("--dev-check", KATA, "--variants=alternatives").stdout
    assert "alternative 'sum-builtin' (Adds with sum() instead of +) is correct but rejected" in out
    assert "2 failed" in out, out


def test_a_variant_that_no_longer_applies_is_named(run_pytest, sample_checkout):
    variants = sample_checkout / VARIANTS
    variants.write_text(variants.read_text().replace("tokenizer.eos_token", "tokenizer.unk_token"))
    out = run_pytest("--dev-check", KATA, "-k", "no-pad-token").stdout
    assert "the text to find occurs 0 times in smoke.py" in out, out
