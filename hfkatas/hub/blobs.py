"""Content-addressed blob store: every file's bytes live once under `blobs/<sha256>`."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from .atomic import open_temp, publish
from .errors import HubError
from .names import validate_oid


class BlobWriter:
    """Streams bytes into a temp file while hashing them; `finish` publishes them under their sha256."""

    def __init__(self, store: BlobStore, max_bytes: int) -> None:
        self._store = store
        self._max_bytes = max_bytes
        self._file, self._temp_path = open_temp(store.tmp_dir)
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        """Append `chunk`; 413 once the total passes the size limit."""
        self.size += len(chunk)
        if self.size > self._max_bytes:
            raise HubError(413, f"File larger than the limit of {self._max_bytes} bytes")
        self._hash.update(chunk)
        self._file.write(chunk)

    def finish(self, expected_sha256: str | None = None, expected_size: int | None = None) -> str:
        """Publish the blob and return its sha256; 400 if it differs from what was announced."""
        sha256 = self._hash.hexdigest()
        if expected_sha256 is not None and (
            sha256 != expected_sha256 or self.size != expected_size
        ):
            raise HubError(
                400,
                f"Uploaded content has sha256 {sha256} and size {self.size}, "
                f"expected {expected_sha256} and {expected_size}",
            )
        target = self._store.path(sha256)
        if target.exists():
            self.abort()
        else:
            publish(self._file, self._temp_path, target)
        return sha256

    def abort(self) -> None:
        """Drop the temp file."""
        self._file.close()
        self._temp_path.unlink(missing_ok=True)


class BlobStore:
    """Blobs under `root/blobs`, temp files under `root/tmp` (same file system, for `os.replace`)."""

    def __init__(self, root: Path) -> None:
        self.root = root / "blobs"
        self.tmp_dir = root / "tmp"
        self.root.mkdir(parents=True, exist_ok=True)
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        self._resolved_root = self.root.resolve()
        # Left by a server killed mid-write (files) or mid-delete (repo folders): never acknowledged.
        for stale in self.tmp_dir.iterdir():
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale)
            else:
                stale.unlink()

    def path(self, sha256: str) -> Path:
        """Where the blob with this sha256 lives; 400 for anything but a sha256, and never a path
        outside the store (checked again after resolving, whatever the caller validated)."""
        path = self.root / validate_oid(sha256)[:2] / sha256[2:]
        if not path.resolve().is_relative_to(self._resolved_root):
            raise HubError(400, f"Invalid LFS oid {sha256!r:.100}")
        return path

    def size(self, sha256: str) -> int | None:
        """The size of the stored blob with this sha256, None if there is none."""
        path = self.path(sha256)
        return path.stat().st_size if path.is_file() else None

    def has(self, sha256: str, size: int) -> bool:
        """Whether a blob with this sha256 and size is stored."""
        return self.size(sha256) == size

    def writer(self, max_bytes: int) -> BlobWriter:
        """A writer for one new blob."""
        return BlobWriter(self, max_bytes)

    def put(self, data: bytes) -> str:
        """Store `data` and return its sha256."""
        writer = self.writer(max_bytes=len(data))
        try:
            writer.write(data)
            return writer.finish()
        except BaseException:
            writer.abort()
            raise
