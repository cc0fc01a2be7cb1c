"""HTML pages: the main text and the page's own metadata, extracted by trafilatura.

Trafilatura drops navigation, footers and most share widgets; what it lets through (a
"Read more" bullet, a caption) is caught afterwards by the same furniture filter as plain
text. Comments, tables and images are left out: they are not the report's prose.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import trafilatura

from checker.ingest.dates import normalise_date
from checker.ingest.metadata import Metadata


@dataclass(frozen=True)
class Page:
    """The extracted main text, one paragraph or list item a line, and the page metadata."""

    text: str
    metadata: Metadata


def extract_page(html: str) -> Page | None:
    """Main text and metadata of an HTML page, or None when it has no main text."""
    extracted = trafilatura.extract(
        html,
        output_format="json",
        with_metadata=True,
        favor_precision=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        # Dates from the page's markup only; a date guessed from the prose can be any date
        # the story mentions.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if extracted is None:
        return None
    data: dict[str, Any] = json.loads(extracted)
    text = (data.get("text") or "").replace("\r\n", "\n")
    if not text.strip():
        return None
    date = data.get("date")
    return Page(
        text=text,
        metadata=Metadata(
            title=data.get("title") or None,
            source=data.get("source-hostname") or data.get("hostname") or None,
            url=data.get("source") or None,
            published=normalise_date(date) if date else None,
            language=data.get("language") or None,
        ),
    )
