"""`ementor library review [--within DAYS]`: which of the platform library's articles are due for review.

The operator keeps the platform library (content/library, or EMENTOR_KNOWLEDGE_LIBRARY), advice that
young people act on; each article says when someone should next check it (`review_by`). This lists
the articles past that date, those due within DAYS, and those without one, and exits 1 when any is
past it, so a content pipeline can stop stale advice. Coordinators see the same dates on their
Articles page.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Mapping
from pathlib import Path


def add_command(command) -> None:
    library = command("library", "List the platform library's articles due for review",
                      "Reads EMENTOR_KNOWLEDGE_LIBRARY (default content/library); exits 1 when an article is "
                      "past its review date.")
    library.add_argument("action", choices=["review"], help="list the articles past, or near, their review date")
    library.add_argument("--within", type=int, default=30, metavar="DAYS",
                         help="also list the articles due within this many days (default 30)")


def review(args, environ: Mapping[str, str]) -> int:
    from services.knowledge.library import DEFAULT_LIBRARY, BadArticle, load_library

    if args.within < 0:
        print("ementor: --within is a number of days from today, 0 or more", file=sys.stderr)
        return 2
    folder = Path(environ.get("EMENTOR_KNOWLEDGE_LIBRARY") or DEFAULT_LIBRARY)
    try:
        articles = load_library(folder) if folder.is_dir() else None
    except (OSError, BadArticle) as exc:
        print(f"ementor: cannot read the library in {folder}: {exc}", file=sys.stderr)
        return 1
    if articles is None:
        print(f"ementor: no library folder at {folder} (EMENTOR_KNOWLEDGE_LIBRARY)", file=sys.stderr)
        return 1
    today = datetime.date.today()
    horizon = today + datetime.timedelta(days=args.within)
    groups = {  # heading: articles
        "past their review date": [a for a in articles if a.review_by and a.review_by < today],
        f"due within {args.within} days": [a for a in articles if a.review_by and today <= a.review_by <= horizon],
        "without a review date": [a for a in articles if a.review_by is None],
    }
    for heading, group in groups.items():
        if group:
            print(f"{heading}:")
            for a in sorted(group, key=lambda a: (a.review_by or today, a.id)):
                print(f"  {a.review_by or '-'!s:<10}  {a.id:<40}  {a.title}")
    print(f"{len(articles)} articles in {folder}: " + ", ".join(f"{len(g)} {h}" for h, g in groups.items()))
    return 1 if groups["past their review date"] else 0
