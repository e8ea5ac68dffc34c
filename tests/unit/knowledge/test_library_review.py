"""`ementor library review`: the operator sees which platform articles are past, or near, the date
someone should check them, and a content pipeline fails on one that is past it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

TODAY = date.today()


def article(folder: Path, slug: str, review_by: date | None) -> None:
    front = f"slug: {slug}\ntitle: {slug.replace('-', ' ').capitalize()}\n"
    if review_by:
        front += f"review_by: {review_by.isoformat()}\n"
    (folder / f"{slug}.md").write_text(f"---\n{front}---\nAn introduction.\n\n## A section\nSome advice.\n")


def review(library: Path | str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMENTOR_", "MONGODB_"))}  # no secrets needed
    return subprocess.run([sys.executable, "-m", "ementor.cli", "library", "review", *args],
                          env={**env, "EMENTOR_KNOWLEDGE_LIBRARY": str(library)},
                          capture_output=True, text=True, timeout=60, check=False)


def test_articles_past_their_review_date_are_listed_first_and_fail_the_command(tmp_path):
    article(tmp_path, "student-loans", TODAY - timedelta(days=3))
    article(tmp_path, "payslips", TODAY + timedelta(days=10))
    article(tmp_path, "cover-letters", TODAY + timedelta(days=200))
    article(tmp_path, "volunteering", None)
    (tmp_path / "TAGS.md").write_text("# Tags\n")  # not an article

    result = review(tmp_path)

    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "past their review date:"
    assert lines[1].split() == [(TODAY - timedelta(days=3)).isoformat(), "student-loans", "Student", "loans"]
    assert lines[2] == "due within 30 days:" and "payslips" in lines[3]
    assert lines[4] == "without a review date:" and lines[5].split()[:2] == ["-", "volunteering"]
    assert "cover-letters" not in result.stdout  # not due for 200 days
    assert lines[-1] == (
        f"4 articles in {tmp_path}: 1 past their review date, 1 due within 30 days, 1 without a review date")


def test_a_library_with_nothing_overdue_passes_and_within_widens_the_look_ahead(tmp_path):
    article(tmp_path, "cover-letters", TODAY + timedelta(days=200))
    assert review(tmp_path).returncode == 0
    wider = review(tmp_path, "--within", "365")
    assert wider.returncode == 0 and "due within 365 days:" in wider.stdout and "cover-letters" in wider.stdout


def test_the_shipped_library_reads_and_every_article_has_a_review_date():
    library = Path(__file__).resolve().parents[3] / "content" / "library"
    result = review(library, "--within", "0")
    assert "0 without a review date" in result.stdout, result.stdout


@pytest.mark.parametrize(("library", "args", "said"), [
    ("/no/such/library", (), "no library folder at /no/such/library (EMENTOR_KNOWLEDGE_LIBRARY)"),
    (".", ("--within", "-1"), "--within is a number of days from today, 0 or more"),
])
def test_a_missing_folder_or_a_negative_look_ahead_is_said_in_one_line(library, args, said):
    result = review(library, *args)
    assert result.returncode != 0 and result.stderr.strip() == f"ementor: {said}"


def test_an_article_the_library_cannot_read_is_named(tmp_path):
    (tmp_path / "broken.md").write_text("---\ntitle: No slug\n---\nBody\n")
    result = review(tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == f"ementor: cannot read the library in {tmp_path}: broken.md: front matter has no slug"
