"""The pytest plugin behind every kata test run (`hooks.py`, registered by the root conftest.py)
and what it is made of: the learner's solutions, failures in their terms, per-task results,
`--dev-check`, the isolated and offline environment, and the hooks that prepare models and
free memory. Importing this package has no side effect; importing `hooks` isolates the process.
"""
