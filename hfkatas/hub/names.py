"""Validation of repo ids, repo types, branch names and file paths, as strict as the real Hub."""

from __future__ import annotations

import re
from typing import Literal

from starlette.convertors import Convertor, register_url_convertor

from .errors import HubError

RepoType = Literal["model", "dataset"]
REPO_TYPES: tuple[RepoType, ...] = ("model", "dataset")

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,94}[A-Za-z0-9]|[A-Za-z0-9]")
_BRANCH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
COMMIT_SHA = re.compile(r"[0-9a-f]{40}")
SHA256 = re.compile(r"[0-9a-f]{64}")
# Namespaces that would make URLs ambiguous (`/datasets/...`, `/api/...`).
_RESERVED_NAMESPACES = {
    "api",
    "datasets",
    "models",
    "spaces",
    "buckets",
    "kernels",
    "new",
    "settings",
}


def is_valid_name(part: str) -> bool:
    """Whether `part` may be a namespace or a repo name."""
    return bool(_NAME.fullmatch(part)) and not (
        ".." in part or "--" in part or part.endswith((".git", ".ipynb"))
    )


def is_valid_namespace(namespace: str) -> bool:
    """Whether `namespace` may own repos (a user name given to `--token` must be one)."""
    return is_valid_name(namespace) and namespace.lower() not in _RESERVED_NAMESPACES


def validate_name(part: str, what: str) -> str:
    """Check one part of a repo id (namespace or name) and return it."""
    if not is_valid_name(part):
        raise HubError(
            400,
            f"Invalid {what} {part!r}: use 1-96 letters, digits, '-', '_' or '.', starting and "
            "ending with a letter or digit, without '--' or '..'",
        )
    return part


def validate_repo_id(namespace: str, name: str) -> str:
    """Check a `namespace/name` repo id and return it."""
    if namespace.lower() in _RESERVED_NAMESPACES:
        raise HubError(400, f"Invalid namespace {namespace!r}: reserved name")
    return f"{validate_name(namespace, 'namespace')}/{validate_name(name, 'repo name')}"


def validate_repo_type(value: str | None) -> RepoType:
    """Check a repo type (`None` means model)."""
    repo_type = value or "model"
    if repo_type not in REPO_TYPES:
        raise HubError(
            400, f"Unsupported repo type {repo_type!r}: this Hub serves models and datasets"
        )
    return repo_type  # type: ignore[return-value]


def validate_ref(name: str, what: str = "branch") -> str:
    """Check a branch or tag name: no '/' (so refs never clash with file paths in URLs), and not
    40 hex digits (a revision like that means a commit)."""
    if not _BRANCH.fullmatch(name) or ".." in name or name.endswith((".lock", ".")):
        raise HubError(400, f"Invalid {what} name {name!r}: use letters, digits, '-', '_' or '.'")
    if COMMIT_SHA.fullmatch(name):
        raise HubError(400, f"Invalid {what} name {name!r}: it looks like a commit id")
    return name


def validate_branch(branch: str) -> str:
    """Check a branch name (see `validate_ref`)."""
    return validate_ref(branch, "branch")


def validate_oid(oid: str) -> str:
    """Check a Git LFS object id: a sha256 as 64 lowercase hex digits."""
    if not SHA256.fullmatch(oid):
        raise HubError(400, f"Invalid LFS oid {oid!r:.100}: expected 64 lowercase hex digits")
    return oid


def validate_path(path: str) -> str:
    """Check a file path inside a repo: relative, normalised, no `..`, no `.git/`, and no control
    characters (a newline could be committed but never named in a URL again)."""
    parts = path.split("/")
    if (
        not path
        or path.startswith("/")
        or "\\" in path
        or any(ord(char) < 0x20 or ord(char) == 0x7F for char in path)
        or len(path) > 1000
        or any(part in ("", ".", "..") for part in parts)
        or parts[0] == ".git"
    ):
        raise HubError(
            400,
            f"Invalid path {path!r}: use a relative path without '..', '.', '//' or control "
            "characters",
        )
    return path


class RepoKindConvertor(Convertor[str]):
    """Matches the repo-type segment of URLs: `models` or `datasets`."""

    regex = "models|datasets"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


# Routes say `{kind:repokind}` for the `models`/`datasets` segment of URLs.
register_url_convertor("repokind", RepoKindConvertor())
