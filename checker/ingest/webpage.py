"""HTML pages: the main text and the page's own metadata, extracted by trafilatura.

Trafilatura drops navigation, footers and most share widgets; what it lets through (a
"Read more" bullet, a caption) is caught afterwards by the same furniture filter as plain
text. Comments, tables and images are left out: they are not the report's prose.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import lxml.etree
import lxml.html
import trafilatura

from checker.errors import InvalidInput
from checker.ingest.dates import normalise_date
from checker.ingest.metadata import Metadata

_HUGE_ADVICE = re.compile(r",?\s*(?:use|try) XML_PARSE_HUGE.*$")


@dataclass(frozen=True)
class Page:
    """The extracted main text, one paragraph or list item a line, and the page metadata."""

    text: str
    metadata: Metadata


def extract_page(html: str) -> Page | None:
    """Main text and metadata of an HTML page, or None when it has no main text.

    Raises InvalidInput when the page is past what the HTML parser reads (see `_parser_limit`).
    """
    stopped = _parser_limit(html)
    if stopped is not None:
        raise InvalidInput(
            f"the HTML is past what the parser reads ({stopped}): the rest of the page would "
            "be lost",
            field="html",
        )
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


def _parser_limit(html: str) -> str | None:
    """libxml2's message when it stops parsing early, at one of its resource limits.

    Elements nested more than 255 deep, or a text node or attribute over 10 MB: the parser
    (without its `huge` option, which this code never sets: the limits bound time and memory)
    stops there, and trafilatura would silently return only the text before that point. One
    extra parse of the page, much faster than the extraction that follows.
    """
    parser = lxml.html.HTMLParser(encoding="utf-8", collect_ids=False)
    try:
        lxml.etree.fromstring(html.encode("utf-8"), parser)
    except lxml.etree.LxmlError:
        return None  # an empty or unparseable page: trafilatura says it has no text
    for error in parser.error_log:
        if error.type_name == "ERR_RESOURCE_LIMIT" or "XML_PARSE_HUGE" in error.message:
            # The advice to turn the limits off is for programmers, not for the editor.
            return _HUGE_ADVICE.sub("", error.message).strip()
    return None
