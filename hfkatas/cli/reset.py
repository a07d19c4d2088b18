"""`katas reset KATA[.TASK]` / `katas reset --all`: pristine stubs back, the learner's files
saved first to `.katas/backups/<time>/`, and nothing done without a confirmation."""

from __future__ import annotations

import shutil
import sys
from datetime import datetime
from pathlib import Path

from hfkatas.cli.course import Course
from hfkatas.cli.exits import CliError, Exit
from hfkatas.cli.output import Output
from hfkatas.cli.pristine import pristine_files, restore_task, task_definitions
from hfkatas.course.curriculum import Kata


def planned_changes(course: Course, kata: Kata, task_id: str) -> dict[Path, bytes]:
    """The files (relative to the checkout) that differ from their pristine content."""
    pristine = pristine_files(course.root, kata)
    if task_id:
        task = kata.task(task_id)
        assert task is not None
        module = (kata.solution_dir("learner") / task.file).relative_to(course.root)
        if module not in pristine:
            raise CliError(
                f"{module} is not in the shipped kata, so task {task_id} cannot be reset"
            )
        path = course.root / module
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        text = restore_task(current, pristine[module].decode(), task_id) if current else None
        pristine = {module: text.encode() if text is not None else pristine[module]}
    return {
        relative: content
        for relative, content in pristine.items()
        if not (course.root / relative).is_file()
        or (course.root / relative).read_bytes() != content
    }


def _what_changes(course: Course, kata: Kata, task_id: str, relative: Path) -> str:
    """`  katas/04_lora/predict.py: main() goes back to its stub` (or the whole file)."""
    if not task_id:
        return f"  {relative} goes back to the pristine stub"
    pristine = pristine_files(course.root, kata)[relative].decode()
    names = [f"{name}()" for name in task_definitions(pristine, task_id)]
    verb = "goes" if len(names) == 1 else "go"
    return f"  {relative}: {', '.join(names)} {verb} back to the stub of task {task_id}"


def backup_folder(home: Path) -> Path:
    """A new, empty folder named after the time, e.g. `.katas/backups/2026-11-24_05-10-03`."""
    stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    folder, count = home / "backups" / stamp, 1
    while folder.exists():
        folder, count = home / "backups" / f"{stamp}_{count}", count + 1
    folder.mkdir(parents=True)
    return folder


def confirmed(out: Output, question: str) -> bool:
    """Ask on a terminal; anything but yes (or no terminal to ask on) means no."""
    if not sys.stdin.isatty():
        return False
    out.print(f"{question} [y/N] ", end="")
    try:
        return input().strip().lower() in ("y", "yes")
    except EOFError:
        return False


def reset(out: Output, course: Course, target: str | None, everything: bool, yes: bool) -> Exit:
    """The `reset` command."""
    if everything == bool(target):
        raise CliError("say what to reset: `katas reset KATA`, `katas reset KATA.TASK` or `--all`")
    plans: list[tuple[Kata, str, dict[Path, bytes]]] = []
    if everything:
        plans = [(kata, "", planned_changes(course, kata, "")) for kata in course.katas]
    else:
        assert target
        kata = course.kata(target.partition(".")[0])
        task_id = course.task(target)[1].id if "." in target else ""
        plans = [(kata, task_id, planned_changes(course, kata, task_id))]
    plans = [plan for plan in plans if plan[2]]
    if not plans:
        out.print("Nothing to reset: the files are already as shipped.")
        return Exit.OK
    for kata, task_id, changes in plans:
        for relative in changes:
            out.text(_what_changes(course, kata, task_id, relative))
    question = "Your current versions are saved to .katas/backups/ first. Go ahead?"
    if not yes and not confirmed(out, question):
        out.print("Nothing changed. To reset, answer y on a terminal or add --yes.")
        return Exit.DECLINED
    backups = backup_folder(course.home)
    for kata, task_id, changes in plans:
        for relative, content in changes.items():
            path = course.root / relative
            if path.exists():
                (backups / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, backups / relative)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        course.progress.forget(kata, task_id)
    out.text(f"Done. Your previous files are in {backups}")
    return Exit.OK
