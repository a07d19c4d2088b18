"""`katas setup`: fetch and build everything once, so that every later command works offline."""

from __future__ import annotations

import time

from hfkatas.cli.course import Course
from hfkatas.cli.exits import Exit
from hfkatas.cli.output import Output
from hfkatas.plugin import isolation
from hfkatas.setup.pypi import PackageUnavailableError


def setup(out: Output, course: Course) -> Exit:
    """Run every set-up step not done yet, one line each (a live bar on a terminal)."""
    isolation.isolate(
        course.home
    )  # the zoo builds offline, into the course's own Hugging Face cache
    from hfkatas.setup.prepare import steps

    todo = [step for step in steps(course.home, quiet=out.plain) if not step.ready()]
    if not todo:
        out.print("Everything is ready: the katas run offline. Next: `katas`.")
        return Exit.OK
    out.print(f"Setting up hf-katas in {course.home} ({len(todo)} steps, done once) ...")
    from transformers.utils import logging

    logging.disable_progress_bar()  # ours shows instead (transformers' would garble it)
    started = time.monotonic()
    for number, step in enumerate(todo, start=1):
        out.text(f"[{number}/{len(todo)}] {step.label}")
        began = time.monotonic()
        try:
            if step.needs_network() and not out.plain:
                step.run()  # pip draws its own progress bars
            else:
                with out.progress(step.name) as bar:
                    bar.update(description=step.name)
                    step.run()
        except PackageUnavailableError as error:
            out.error(str(error))
            return Exit.NOT_YET
        out.text(f"      done in {time.monotonic() - began:.0f} s")
    out.print(
        f"Ready in {time.monotonic() - started:.0f} s: from now on the katas run offline. "
        "Next: `katas`."
    )
    return Exit.OK
