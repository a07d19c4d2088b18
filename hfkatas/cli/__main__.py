"""`python -m hfkatas.cli` runs the `katas` command."""

import sys

from hfkatas.cli import main

sys.exit(main())
