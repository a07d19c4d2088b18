"""hf-katas toolkit: the pytest plugin, the offline model zoo, the local Hub and the `katas` CLI."""

__version__ = "0.1.0"
