"""`katas hub ...`: the local Hugging Face Hub server (implemented in `hfkatas.hub`)."""

from __future__ import annotations

from pathlib import Path

DATA_FLAG = "--data"


def hub(argv: list[str], home: Path) -> int:
    """Hand the arguments to `hfkatas.hub.cli.main`; `serve` keeps its repos in `.katas/hub`
    unless `--data` says otherwise."""
    from hfkatas.hub.cli import main  # imported only when used: it pulls in the web server

    has_data = any(arg == DATA_FLAG or arg.startswith(f"{DATA_FLAG}=") for arg in argv)
    if argv[:1] == ["serve"] and not has_data and not {"-h", "--help"} & set(argv):
        argv = [*argv, DATA_FLAG, str(home / "hub")]
    return main(argv)
