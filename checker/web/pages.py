"""The pages for people: the check page (`/`), the review of flagged findings (`/review`), a
stored document with a passage highlighted (`/documents/<id>?sentence=<sentence id>`) and the
widget's example host page.

Pages are static shells: their scripts fetch results from the API and put every piece of
data into the page as text, never as markup, so a hostile passage shows as text. The
Content-Security-Policy says it a second time: only this app's own scripts and styles run,
and nothing is loaded from anywhere else (no CDN; the machine may be offline).
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from flask import Blueprint, Response, current_app, render_template

from checker.drafts import MAX_DRAFT_SENTENCES
from checker.errors import NotFound
from checker.web.auth import reads_need_a_key
from checker.web.indexes import Indexes

pages = Blueprint("pages", __name__)

# The example lives in the source tree beside the package, for people to copy from.
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

_POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'self'",
}
CONTENT_SECURITY_POLICY = "; ".join(f"{name} {value}" for name, value in _POLICY.items())
# The example stands for a host page with its own inline styles, as a CMS has.
EXAMPLE_POLICY = CONTENT_SECURITY_POLICY + "; style-src 'self' 'unsafe-inline'"


@pages.get("/")
def check_page() -> Response:
    return _secured(render_template("check.html", max_sentences=MAX_DRAFT_SENTENCES))


@pages.get("/documents/<document_id>")
def document_page(document_id: str) -> Response:
    """A stored document, for an editor to read a passage of the evidence in context. Like
    the check page, a shell: its script reads the document through the API, with the tab's
    key where the index needs one. While reads need no key, an unknown id is a 404 page at
    once; otherwise the script says so (whether an id exists is not told without a key)."""
    if not reads_need_a_key(current_app):
        store = cast(Indexes, current_app.extensions["checker"]).default.store
        store.refresh()
        if store.stored_hash(document_id) is None:
            html = render_template("missing.html", document_id=document_id)
            return _secured(html, status=404)
    return _secured(render_template("document.html", document_id=document_id))


@pages.get("/review")
def review_page() -> Response:
    """Where editors confirm or dismiss what the scan flagged: a shell whose script reads
    `GET /v1/discrepancies` and decides through `PATCH /v1/discrepancies/<id>`."""
    return _secured(render_template("review.html"))


@pages.get("/examples/editor")
def widget_example() -> Response:
    path = EXAMPLES / "editor.html"
    if not path.is_file():
        raise NotFound(
            "the widget example is in the source tree only (examples/editor.html), "
            "and this installation has none"
        )
    return _secured(path.read_text(encoding="utf-8"), EXAMPLE_POLICY)


def _secured(html: str, policy: str = CONTENT_SECURITY_POLICY, status: int = 200) -> Response:
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = policy
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response
