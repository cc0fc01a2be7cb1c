"""The pages for people: the check page (`/`) and the widget's example host page.

Pages are static shells: their scripts fetch results from the API and put every piece of
data into the page as text, never as markup, so a hostile passage shows as text. The
Content-Security-Policy says it a second time: only this app's own scripts and styles run,
and nothing is loaded from anywhere else (no CDN; the machine may be offline).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, render_template

from checker.drafts import MAX_DRAFT_SENTENCES
from checker.errors import NotFound

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


@pages.get("/examples/editor")
def widget_example() -> Response:
    path = EXAMPLES / "editor.html"
    if not path.is_file():
        raise NotFound(
            "the widget example is in the source tree only (examples/editor.html), "
            "and this installation has none"
        )
    return _secured(path.read_text(encoding="utf-8"), EXAMPLE_POLICY)


def _secured(html: str, policy: str = CONTENT_SECURITY_POLICY) -> Response:
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = policy
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response
