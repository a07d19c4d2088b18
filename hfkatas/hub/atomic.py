"""Durable file writes: temp file in the same file system, fsync, `os.replace`, fsync of the folder.

A reader (or a restarted server) sees either the old file or the complete new one, never half of it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (the rename) to disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def open_temp(tmp_dir: Path) -> tuple[BinaryIO, Path]:
    """A new temp file opened for binary writing, and its path."""
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="part-")
    return os.fdopen(fd, "wb"), Path(name)


def publish(temp_file: BinaryIO, temp_path: Path, target: Path) -> None:
    """Flush and close `temp_file`, then atomically move it to `target`."""
    temp_file.flush()
    os.fsync(temp_file.fileno())
    temp_file.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temp_path, target)
    fsync_dir(target.parent)


def atomic_write(target: Path, data: bytes, tmp_dir: Path) -> None:
    """Write `data` to `target` atomically and durably."""
    temp_file, temp_path = open_temp(tmp_dir)
    try:
        temp_file.write(data)
        publish(temp_file, temp_path, target)
    except BaseException:
        temp_file.close()
        temp_path.unlink(missing_ok=True)
        raise
