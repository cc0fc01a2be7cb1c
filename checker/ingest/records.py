"""Documents from records and texts: the one place where text becomes a `Document`.

Every way in (a .txt file, an HTML page, a JSON record, POST /v1/documents) ends in
`document_from_text`: newlines normalised, size and emptiness checked, furniture found, and
explicit metadata laid over what the page markup and the furniture say.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from checker.errors import InvalidInput, PayloadTooLarge
from checker.ingest.boilerplate import find_body
from checker.ingest.metadata import (
    Metadata,
    check_id,
    json_type,
    metadata_from,
    refuse_lone_surrogates,
)
from checker.ingest.webpage import extract_page
from checker.types import Document

# Markup around a page's text: a news page's HTML is rarely more than a few times its text.
HTML_CHARS_PER_TEXT_CHAR = 5


def document_from_record(record: object, max_chars: int) -> Document:
    """A JSON record {id?, title, source, url, published, language, text | html} -> Document.

    `id` is optional (default: "sha1-" and the first 16 hex digits of the text's SHA-1).
    Raises InvalidInput naming the bad field, or PayloadTooLarge when the text is longer than
    `max_chars`.
    """
    if not isinstance(record, Mapping):
        raise InvalidInput(f"a record must be a JSON object, not {json_type(record)}")
    metadata = metadata_from(record)
    doc_id = None if record.get("id") is None else check_id(record["id"])
    text, html = record.get("text"), record.get("html")
    if text is not None and html is not None:
        raise InvalidInput("give either 'text' or 'html', not both", field="html")
    if html is not None:
        if not isinstance(html, str):
            raise InvalidInput(f"'html' must be a string, not {json_type(html)}", field="html")
        return document_from_html(doc_id, html, metadata, max_chars)
    if not isinstance(text, str):
        got = "it is missing" if text is None else f"got {json_type(text)}"
        raise InvalidInput(f"a record needs 'text' (or 'html') as a string; {got}", field="text")
    return document_from_text(doc_id, text, metadata, max_chars)


def document_from_html(
    doc_id: str | None, html: str, explicit: Metadata, max_chars: int
) -> Document:
    """A Document of the page's main text; `explicit` beats the page's own metadata.

    The markup may be `HTML_CHARS_PER_TEXT_CHAR` times the text limit: past that the page is
    refused before it is parsed, which bounds the time a page can take.
    """
    _refuse_nul(html, "html")
    limit = HTML_CHARS_PER_TEXT_CHAR * max_chars
    if len(html) > limit:
        raise PayloadTooLarge(
            f"the HTML is {len(html):,} characters, over the limit of {limit:,} "
            f"({HTML_CHARS_PER_TEXT_CHAR} × CHECKER_MAX_DOCUMENT_CHARS)"
        )
    page = extract_page(html)
    if page is None:
        raise InvalidInput("no article text found in the HTML", field="html")
    return document_from_text(
        doc_id, page.text, explicit.over(page.metadata), max_chars, field="html"
    )


def document_from_text(
    doc_id: str | None, text: str, explicit: Metadata, max_chars: int, field: str = "text"
) -> Document:
    """A Document of `text` (only "\\r\\n" becomes "\\n"); `field` names the input in errors."""
    text = text.replace("\r\n", "\n")
    _refuse_nul(text, field)
    if not text.strip():
        raise InvalidInput("empty document: no text, or only whitespace", field=field)
    if len(text) > max_chars:
        raise PayloadTooLarge(
            f"document is {len(text):,} characters, over the limit of {max_chars:,} "
            "(CHECKER_MAX_DOCUMENT_CHARS)"
        )
    layout = find_body(text)
    if not any(c.isalpha() for start, end in layout.body for c in text[start:end]):
        raise InvalidInput(
            "no article prose left once navigation, captions, headlines and date lines "
            "are set aside",
            field=field,
        )
    meta = explicit.over(Metadata(title=layout.title, published=layout.published))
    return Document(
        id=doc_id or "sha1-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16],
        text=text,
        title=meta.title,
        source=meta.source,
        url=meta.url,
        published=meta.published,
        language=meta.language,
        body=layout.body,
    )


def _refuse_nul(text: str, field: str) -> None:
    """NUL characters and lone surrogates: text that cannot be stored as it came."""
    if "\x00" in text:
        raise InvalidInput(f"'{field}' contains NUL characters: binary data, not text", field=field)
    refuse_lone_surrogates(text, field)
