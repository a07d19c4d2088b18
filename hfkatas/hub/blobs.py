"""Content-addressed blob store: every file's bytes live once under `blobs/<sha256>`."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .atomic import open_temp, publish
from .errors import HubError


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
        for (
            stale
        ) in self.tmp_dir.iterdir():  # left by a server killed mid-write: never acknowledged
            stale.unlink()

    def path(self, sha256: str) -> Path:
        """Where the blob with this sha256 lives."""
        return self.root / sha256[:2] / sha256[2:]

    def has(self, sha256: str, size: int) -> bool:
        """Whether a blob with this sha256 and size is stored."""
        path = self.path(sha256)
        return path.is_file() and path.stat().st_size == size

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
