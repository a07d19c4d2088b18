"""The `katas` command line: parse the arguments, run one command, return its exit status."""

from __future__ import annotations

import argparse
import sys

from hfkatas.cli.course import Course
from hfkatas.cli.exits import CliError, Exit
from hfkatas.cli.output import Output
from hfkatas.paths import katas_home, repo_root

EPILOG = """exit status: 0 done (all tasks pass / nothing wrong), 1 not yet (a task fails, a
problem found, solution locked), 2 bad arguments or unknown kata, 3 reset not confirmed,
4 the tests could not run, 130 interrupted. Full reference: docs/cli.md"""


def parser() -> argparse.ArgumentParser:
    """Every command and its options (each has --help)."""
    root = argparse.ArgumentParser(
        prog="katas",
        description="Your way through hf-katas: progress, checks, hints, watch mode.",
        epilog=EPILOG,
    )
    commands = root.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("list", help="the katas, your progress and the next step (the default)")
    commands.add_parser("setup", help="fetch and build the models and data once (then offline)")
    check = commands.add_parser("check", help="run a kata's tests and show which tasks pass")
    check.add_argument("kata", nargs="?", help="e.g. 01 or auto_classes (default: current kata)")
    hint = commands.add_parser("hint", help="the hint for a task (default: the next failing one)")
    hint.add_argument("target", nargs="?", metavar="KATA[.TASK]", help="e.g. 01, 1.3, 01.3")
    hint.add_argument("--more", action="store_true", help="one level down: the calls that do it")
    watch = commands.add_parser("watch", help="re-check the current kata on every save")
    watch.add_argument("kata", nargs="?", help="the kata to watch (default: current kata)")
    watch.add_argument(
        "--manual", action="store_true", help="re-check on Enter only (when saves go unseen)"
    )
    reset = commands.add_parser(
        "reset", help="restore pristine stubs (your files are backed up first)"
    )
    reset.add_argument("target", nargs="?", metavar="KATA[.TASK]", help="e.g. 01 or 1.3")
    reset.add_argument("--all", action="store_true", help="reset every kata")
    reset.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    solution = commands.add_parser(
        "solution", help="the reference solution as a diff, once the kata (or task) passes"
    )
    solution.add_argument("kata", metavar="KATA[.TASK]", help="e.g. 01, auto_classes or 1.5")
    solution.add_argument("--task", help="only this task's functions, e.g. 1.5")
    solution.add_argument(
        "--docstrings", action="store_true", help="the whole file, docstring changes included"
    )
    solution.add_argument(
        "--force", action="store_true", help="show it even though the kata does not pass yet"
    )
    doctor = commands.add_parser("doctor", help="check Python, libraries, GPU, model zoo, disk")
    doctor.add_argument(
        "--build-zoo", action="store_true", help="build the missing zoo models first"
    )
    commands.add_parser(
        "hub",
        add_help=False,
        help="the local Hugging Face Hub (`katas hub serve --help`)",
        prefix_chars="\0",  # every argument, --help included, goes to the hub's own parser
    ).add_argument("hub_args", nargs=argparse.REMAINDER)
    return root


def run(args: argparse.Namespace, out: Output) -> int:
    """Dispatch to the command (imported here so `katas --help` stays instant)."""
    root = repo_root()
    home = katas_home(root)
    if args.command == "hub":
        from hfkatas.cli.hub import hub

        return hub(args.hub_args, home)
    course = Course(root, home)
    if args.command in (None, "list"):
        from hfkatas.cli.listing import show_list

        return show_list(out, course)
    if args.command == "setup":
        from hfkatas.cli.setup import setup

        return setup(out, course)
    if args.command == "check":
        from hfkatas.cli.check import check

        return check(out, course, args.kata)
    if args.command == "hint":
        from hfkatas.cli.hint import show_hint

        return show_hint(out, course, args.target, args.more)
    if args.command == "watch":
        from hfkatas.cli.watch import watch

        return watch(out, course, args.kata, args.manual)
    if args.command == "reset":
        from hfkatas.cli.reset import reset

        return reset(out, course, args.target, args.all, args.yes)
    if args.command == "solution":
        from hfkatas.cli.solution import solution

        return solution(out, course, args.kata, args.force, args.task, args.docstrings)
    from hfkatas.cli.doctor import doctor

    return doctor(out, course, args.build_zoo)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `katas` console script."""
    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    out = Output()
    try:
        return int(run(args, out))
    except (CliError, FileNotFoundError) as error:
        out.error(str(error))
        return int(getattr(error, "code", Exit.USAGE))
    except KeyboardInterrupt:
        out.error("interrupted")
        return int(Exit.INTERRUPTED)
