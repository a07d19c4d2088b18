"""Repos, commits and branches on disk, next to the content-addressed blob store.

Layout under the data folder:

    blobs/<sha256[:2]>/<sha256[2:]>     file contents (see `blobs.py`)
    commits/<sha1>.json                 one commit: parents, message, author, full file manifest
    repos/<type>s/<ns>/<name>/repo.json visibility, creation date, the key its commits carry
    repos/<type>s/<ns>/<name>/refs.json branch -> commit sha; replaced last, so it is the
                                        acknowledgement point of a commit
    repos/<type>s/<ns>/<name>/tags.json tag -> commit sha
    repos/<type>s/<ns>/<name>/lfs/<sha256>  empty: this LFS blob was uploaded to this repo
Every file is written atomically (`atomic.py`); commits to one repo are serialised by a lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from .atomic import atomic_write, fsync_dir
from .blobs import BlobStore
from .errors import HubError, entry_not_found, repo_not_found, revision_not_found
from .names import COMMIT_SHA, RepoType, validate_oid

DEFAULT_BRANCH = "main"
LFS_SUFFIXES = (
    ".safetensors",
    ".bin",
    ".pt",
    ".pth",
    ".ckpt",
    ".h5",
    ".onnx",
    ".msgpack",
    ".gguf",
    ".model",
    ".parquet",
    ".arrow",
    ".npy",
    ".npz",
    ".pkl",
    ".pickle",
    ".zip",
    ".gz",
    ".tar",
    ".zst",
)
GITATTRIBUTES = "".join(
    f"*{suffix} filter=lfs diff=lfs merge=lfs -text\n" for suffix in LFS_SUFFIXES
)


def git_blob_sha1(content: bytes) -> str:
    """The git object id of a blob with this content."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


def lfs_pointer(sha256: str, size: int) -> bytes:
    """The Git LFS pointer file git stores in place of a large file."""
    return (
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()
    )


@dataclass(frozen=True)
class FileEntry:
    """One file of a commit: its content's sha256 and size, whether it is LFS, its git object id."""

    sha256: str
    size: int
    lfs: bool
    oid: str

    @classmethod
    def regular(cls, sha256: str, content: bytes) -> FileEntry:
        """A file stored in git itself."""
        return cls(sha256, len(content), False, git_blob_sha1(content))

    @classmethod
    def large(cls, sha256: str, size: int) -> FileEntry:
        """A file stored through Git LFS."""
        return cls(sha256, size, True, git_blob_sha1(lfs_pointer(sha256, size)))

    @property
    def etag(self) -> str:
        """What the Hub sends as ETag: the sha256 for LFS files, the git object id otherwise."""
        return self.sha256 if self.lfs else self.oid


@dataclass(frozen=True)
class Commit:
    """A commit: its id is the sha1 of everything else, so it is content-addressed too."""

    id: str
    repo: str
    parents: list[str]
    title: str
    message: str
    author: str
    date: str
    files: dict[str, FileEntry] = field(default_factory=dict)

    @classmethod
    def create(
        cls,
        repo: str,
        parents: list[str],
        title: str,
        message: str,
        author: str,
        files: dict[str, FileEntry],
    ) -> Commit:
        """A new commit dated now, with its id computed from its content."""
        date = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        body = {
            "repo": repo,
            "parents": parents,
            "title": title,
            "message": message,
            "author": author,
            "date": date,
            "files": {path: asdict(entry) for path, entry in sorted(files.items())},
        }
        commit_id = hashlib.sha1(json.dumps(body, sort_keys=True).encode(), usedforsecurity=False)
        return cls(id=commit_id.hexdigest(), **{**body, "files": dict(sorted(files.items()))})

    def to_json(self) -> bytes:
        """Serialised form."""
        return json.dumps(asdict(self), sort_keys=True, indent=1).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Commit:
        """Parse the serialised form."""
        raw = json.loads(data)
        raw["files"] = {path: FileEntry(**entry) for path, entry in raw["files"].items()}
        return cls(**raw)


@dataclass(frozen=True)
class AddFile:
    """Commit operation: add or replace a file. `content` holds the bytes of an inline file, stored
    only once the commit is accepted (a refused commit leaves no blob behind)."""

    path: str
    entry: FileEntry
    content: bytes | None = None


@dataclass(frozen=True)
class DeleteFile:
    """Commit operation: delete a file (404 if it does not exist)."""

    path: str


@dataclass(frozen=True)
class DeleteFolder:
    """Commit operation: delete every file under a folder."""

    path: str


Operation = AddFile | DeleteFile | DeleteFolder


@dataclass(frozen=True)
class Repo:
    """A repo's settings and refs. `key` names it in its commits and stays the same when the repo
    moves; a repo created again after a deletion gets a new one, so it never sees the old commits."""

    repo_type: RepoType
    repo_id: str
    private: bool
    created_at: str
    branches: dict[str, str]
    tags: dict[str, str]
    key: str

    @property
    def namespace(self) -> str:
        """The user owning the repo."""
        return self.repo_id.split("/")[0]


def apply_operations(
    files: dict[str, FileEntry], operations: list[Operation]
) -> dict[str, FileEntry]:
    """The file manifest after `operations`."""
    result = dict(files)
    for op in operations:
        if isinstance(op, AddFile):
            result[op.path] = op.entry
        elif isinstance(op, DeleteFile):
            if op.path not in result:
                raise HubError(
                    404, f"A file with this name doesn't exist: {op.path}", "EntryNotFound"
                )
            del result[op.path]
        else:
            prefix = op.path.rstrip("/") + "/"
            doomed = [path for path in result if path.startswith(prefix)]
            if not doomed:
                raise entry_not_found(op.path)
            for path in doomed:
                del result[path]
    return result


class Storage:
    """All repos of one data folder. Thread-safe; one process per data folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.blobs = BlobStore(root)
        self._tmp = self.blobs.tmp_dir
        (root / "commits").mkdir(parents=True, exist_ok=True)
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def _lock(self, repo_type: RepoType, repo_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(f"{repo_type}:{repo_id}", threading.Lock())

    def _repo_dir(self, repo_type: RepoType, repo_id: str) -> Path:
        return self.root / "repos" / f"{repo_type}s" / repo_id

    def _write_json(self, path: Path, value: object) -> None:
        atomic_write(path, json.dumps(value, indent=1, sort_keys=True).encode(), self._tmp)

    def _write_commit(self, commit: Commit) -> None:
        atomic_write(self.root / "commits" / f"{commit.id}.json", commit.to_json(), self._tmp)

    def _write_settings(self, repo: Repo) -> None:
        settings = {"private": repo.private, "createdAt": repo.created_at, "key": repo.key}
        self._write_json(self._repo_dir(repo.repo_type, repo.repo_id) / "repo.json", settings)

    def _write_refs(self, repo: Repo, branches: dict[str, str]) -> None:
        self._write_json(self._repo_dir(repo.repo_type, repo.repo_id) / "refs.json", branches)

    def _write_tags(self, repo: Repo, tags: dict[str, str]) -> None:
        self._write_json(self._repo_dir(repo.repo_type, repo.repo_id) / "tags.json", tags)

    def _current(self, repo: Repo) -> Repo:
        """`repo` as it is on disk now (call with its lock held)."""
        return self.require_repo(repo.repo_type, repo.repo_id)

    def get_repo(self, repo_type: RepoType, repo_id: str) -> Repo | None:
        """The repo, or None if it does not exist."""
        folder = self._repo_dir(repo_type, repo_id)
        try:
            settings = json.loads((folder / "repo.json").read_bytes())
            branches = json.loads((folder / "refs.json").read_bytes())
            tags_file = folder / "tags.json"
            tags = json.loads(tags_file.read_bytes()) if tags_file.exists() else {}
        except FileNotFoundError:  # no such repo, or deleted or moved while being read
            return None
        key = settings.get("key", f"{repo_type}:{repo_id}")  # repos made before keys existed
        return Repo(
            repo_type, repo_id, settings["private"], settings["createdAt"], branches, tags, key
        )

    def require_repo(self, repo_type: RepoType, repo_id: str) -> Repo:
        """The repo, or 404 RepoNotFound."""
        repo = self.get_repo(repo_type, repo_id)
        if repo is None:
            raise repo_not_found(repo_id)
        return repo

    def list_repos(self, repo_type: RepoType) -> list[Repo]:
        """Every repo of this type, sorted by id."""
        folder = self.root / "repos" / f"{repo_type}s"
        ids = sorted(f"{path.parent.name}/{path.name}" for path in folder.glob("*/*"))
        return [repo for repo_id in ids if (repo := self.get_repo(repo_type, repo_id))]

    def create_repo(self, repo_type: RepoType, repo_id: str, private: bool, author: str) -> Repo:
        """Create a repo with an initial commit holding `.gitattributes`; 409 if it exists."""
        with self._lock(repo_type, repo_id):
            if self.get_repo(repo_type, repo_id) is not None:
                raise HubError(409, f"You already created this {repo_type} repo: {repo_id}")
            key = f"{repo_type}:{repo_id}:{uuid.uuid4().hex}"
            content = GITATTRIBUTES.encode()
            entry = FileEntry.regular(self.blobs.put(content), content)
            initial = Commit.create(
                key, [], "initial commit", "", author, {".gitattributes": entry}
            )
            self._write_commit(initial)
            repo = Repo(
                repo_type, repo_id, private, initial.date, {DEFAULT_BRANCH: initial.id}, {}, key
            )
            self._write_settings(repo)
            self._write_refs(repo, repo.branches)
        return repo

    def delete_repo(self, repo: Repo) -> None:
        """Delete a repo: its folder leaves `repos/` in one rename, then is removed.

        Its commits and blobs stay on disk, unreachable (blobs are shared between repos)."""
        with self._lock(repo.repo_type, repo.repo_id):
            self._current(repo)
            folder = self._repo_dir(repo.repo_type, repo.repo_id)
            doomed = self._tmp / f"deleted-{uuid.uuid4().hex}"
            os.replace(folder, doomed)
            fsync_dir(folder.parent)
            shutil.rmtree(doomed)

    def move_repo(self, repo: Repo, new_id: str) -> Repo:
        """Rename a repo (one folder rename); 409 if `new_id` exists. Its commits follow it."""
        taken = HubError(409, f"A {repo.repo_type} repo named {new_id} already exists")
        if new_id == repo.repo_id:
            raise taken
        first, second = sorted((repo.repo_id, new_id))  # one order for every mover: no deadlock
        with self._lock(repo.repo_type, first), self._lock(repo.repo_type, second):
            current = self._current(repo)
            if self.get_repo(repo.repo_type, new_id) is not None:
                raise taken
            self._write_settings(current)  # records the key of a repo made before keys existed
            target = self._repo_dir(repo.repo_type, new_id)
            target.parent.mkdir(parents=True, exist_ok=True)
            source = self._repo_dir(repo.repo_type, repo.repo_id)
            os.replace(source, target)
            fsync_dir(target.parent)
            fsync_dir(source.parent)
        return replace(current, repo_id=new_id)

    def set_private(self, repo: Repo, private: bool) -> None:
        """Make a repo private or public."""
        with self._lock(repo.repo_type, repo.repo_id):
            self._write_settings(replace(self._current(repo), private=private))

    def read_commit(self, repo: Repo, commit_id: str) -> Commit | None:
        """The commit with this id if it belongs to `repo`."""
        try:
            commit = Commit.from_json((self.root / "commits" / f"{commit_id}.json").read_bytes())
        except FileNotFoundError:
            return None
        return commit if commit.repo == repo.key else None

    def resolve(self, repo: Repo, revision: str) -> Commit:
        """The commit a branch, a tag or a full commit sha points to; 404 RevisionNotFound otherwise."""
        commit_id = repo.branches.get(revision) or repo.tags.get(revision)
        if commit_id is None and COMMIT_SHA.fullmatch(revision):
            commit_id = revision
        commit = self.read_commit(repo, commit_id) if commit_id else None
        if commit is None:
            raise revision_not_found(revision)
        return commit

    def history(self, repo: Repo, revision: str) -> list[Commit]:
        """Commits reachable from `revision`, newest first (first parents only)."""
        commits = [self.resolve(repo, revision)]
        while commits[-1].parents:
            parent = self.read_commit(repo, commits[-1].parents[0])
            if parent is None:
                break
            commits.append(parent)
        return commits

    def _marker(self, repo: Repo, sha256: str) -> Path:
        return self._repo_dir(repo.repo_type, repo.repo_id) / "lfs" / validate_oid(sha256)

    def record_upload(self, repo: Repo, sha256: str) -> None:
        """Note that the blob `sha256` was uploaded to `repo`, so its commits may use it."""
        atomic_write(self._marker(repo, sha256), b"", self._tmp)

    def may_use_blob(self, repo: Repo, sha256: str) -> bool:
        """Whether a commit of `repo` may reference the blob `sha256`: it was uploaded to this repo
        or is in its history. Other repos' blobs stay invisible, however well their hash is known."""
        if self._marker(repo, sha256).is_file():
            return True
        heads = {*repo.branches.values(), *repo.tags.values()}
        return any(
            entry.sha256 == sha256
            for head in heads
            for commit in self.history(repo, head)
            for entry in commit.files.values()
        )

    def commit(
        self,
        repo: Repo,
        branch: str,
        operations: list[Operation],
        title: str,
        message: str,
        author: str,
        parent: str | None,
    ) -> Commit:
        """Apply `operations` on top of `branch` and move the branch; 412 if `parent` is stale.

        Inline contents are stored only once every check passed."""
        with self._lock(repo.repo_type, repo.repo_id):
            current = self._current(repo)
            if branch not in current.branches:
                raise revision_not_found(branch)
            head = self.resolve(current, branch)
            if parent is not None and parent != head.id:
                raise HubError(
                    412,
                    f"A commit has happened since {parent}: the head of {branch} is {head.id}. "
                    "Pull the latest revision and try again.",
                )
            files = apply_operations(head.files, operations)
            for op in operations:
                if isinstance(op, AddFile) and op.content is not None:
                    self.blobs.put(op.content)
            commit = Commit.create(current.key, [head.id], title, message, author, files)
            self._write_commit(commit)
            self._write_refs(current, {**current.branches, branch: commit.id})
        return commit

    def create_branch(self, repo: Repo, branch: str, start: Commit) -> None:
        """Create `branch` at `start`; 409 if a branch or a tag has that name."""
        with self._lock(repo.repo_type, repo.repo_id):
            current = self._current(repo)
            if branch in current.branches or branch in current.tags:
                raise HubError(409, f"Reference already exists: {branch}")
            self._write_refs(current, {**current.branches, branch: start.id})

    def delete_branch(self, repo: Repo, branch: str) -> None:
        """Delete `branch`; 404 if there is none, 403 for the default branch."""
        with self._lock(repo.repo_type, repo.repo_id):
            current = self._current(repo)
            if branch not in current.branches:
                raise revision_not_found(branch)
            if branch == DEFAULT_BRANCH:
                raise HubError(403, f"The default branch {DEFAULT_BRANCH} cannot be deleted")
            self._write_refs(current, {b: c for b, c in current.branches.items() if b != branch})

    def create_tag(self, repo: Repo, tag: str, target: Commit) -> None:
        """Tag `target`; 409 if a tag or a branch has that name."""
        with self._lock(repo.repo_type, repo.repo_id):
            current = self._current(repo)
            if tag in current.tags or tag in current.branches:
                raise HubError(409, f"Reference already exists: {tag}")
            self._write_tags(current, {**current.tags, tag: target.id})

    def delete_tag(self, repo: Repo, tag: str) -> None:
        """Delete `tag`; 404 if there is none."""
        with self._lock(repo.repo_type, repo.repo_id):
            current = self._current(repo)
            if tag not in current.tags:
                raise revision_not_found(tag)
            self._write_tags(current, {t: c for t, c in current.tags.items() if t != tag})
