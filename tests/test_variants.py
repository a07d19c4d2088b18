"""Reading variants.toml and applying its edits (no model is loaded here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfkatas.course.curriculum import Kata, Task
from hfkatas.course.variants import Edit, VariantError, apply_edit, load_variants, materialize

pytestmark = pytest.mark.timeout(30)

SOURCE = '''"""Module."""


def helper(x: int) -> int:
    return x + 1


class Server:
    """A server."""

    @staticmethod
    def answer(x: int) -> int:
        return helper(x) * 2
'''


def make_kata(tmp_path: Path, variants: str) -> Kata:
    folder = tmp_path / "reference" / "99_smoke"
    folder.mkdir(parents=True)
    (folder / "smoke.py").write_text(SOURCE)
    (folder / "bench_smoke.py").write_text("")
    (folder / "variants.toml").write_text(variants)
    tasks = (Task("99.1", "One", ""), Task("99.2", "Two", ""))
    return Kata(99, "99_smoke", "Smoke", 5, tasks, tmp_path)


def test_a_function_or_method_is_replaced_whole_and_reindented():
    code = "def answer(x: int) -> int:\n    return 0\n"
    edited = apply_edit(SOURCE, Edit("smoke.py", function="Server.answer", code=code), "t")
    assert "    @staticmethod" not in edited and "        return 0\n" in edited
    assert "return helper(x) * 2" not in edited and "return x + 1" in edited
    compile(edited, "smoke.py", "exec")


def test_find_must_occur_exactly_once():
    with pytest.raises(VariantError, match=r"occurs 0 times in smoke\.py"):
        apply_edit(SOURCE, Edit("smoke.py", find="x - 1"), "t")
    with pytest.raises(VariantError, match="occurs 2 times"):
        apply_edit(SOURCE, Edit("smoke.py", find="x: int"), "t")


def test_materialize_copies_solution_files_only_and_applies_edits(tmp_path: Path):
    kata = make_kata(
        tmp_path,
        '[[mistake]]\nid = "off-by-one"\ntasks = ["99.1"]\nlearner = "Adds two"\n'
        'message = "wrong"\n[[mistake.edit]]\nfind = "x + 1"\nreplace = "x + 2"\n',
    )
    (variant,) = load_variants(kata)
    folder = materialize(variant, kata, tmp_path / "out")
    assert folder.parts[-2:] == ("reference", "99_smoke")
    assert sorted(p.name for p in folder.iterdir()) == ["smoke.py"]
    assert "x + 2" in (folder / "smoke.py").read_text()
    assert "x + 1" in (kata.root / "reference/99_smoke/smoke.py").read_text()


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ('[[mistake]]\nid = "Bad Id"\n', "`id` must be kebab-case"),
        ('[[mistake]]\nid = "a"\ntasks = ["9.9"]\n', "no task 9.9"),
        ('[[mistake]]\nid = "a"\ntasks = ["99.1"]\nlearner = "x"\n', "`message` must be"),
        ('[[mistake]]\nid = "a"\ntasks = ["99.1"]\nlearner = "x"\nmessage = "("\n', "not a valid"),
        ('[[alternative]]\nid = "a"\ntasks = ["99.1"]\nlearner = "x"\n', "at least one"),
        ('[[oops]]\nid = "a"\n', "unknown table"),
        ("[[mistake]\n", "not valid TOML"),
    ],
)
def test_malformed_variants_get_a_clear_error(tmp_path: Path, toml: str, problem: str):
    with pytest.raises(VariantError, match=problem):
        load_variants(make_kata(tmp_path, toml))


def test_a_variant_can_name_the_tests_it_runs_with(tmp_path: Path):
    kata = make_kata(
        tmp_path,
        '[[mistake]]\nid = "a"\ntasks = ["99.1"]\ntests = ["test_fast"]\nlearner = "x"\n'
        'message = "y"\n[[mistake.edit]]\nfind = "x + 1"\nreplace = "x + 2"\n',
    )
    (variant,) = load_variants(kata)
    assert variant.runs_with("99.1", "test_fast")
    assert not variant.runs_with("99.1", "test_slow") and not variant.runs_with("99.2", "test_fast")
