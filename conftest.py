"""Registers the hf-katas pytest plugin for every test under this checkout."""

pytest_plugins = ["hfkatas.plugin.hooks"]
