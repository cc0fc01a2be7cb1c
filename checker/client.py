"""A small client of the HTTP API, for scripts and notebooks. Standard library only.

    from checker.client import Client

    checker = Client("http://127.0.0.1:8000")
    answer = checker.check("Armenian forces are present in Karabakh")
    for passage in answer["contradicting"]:
        print(passage["document"]["title"], passage["text"])

Every method returns the API's JSON answer as plain dicts and lists (the shapes are in the
README). An error answer raises `APIError`, which carries the RFC 9457 problem+json body; a
server that cannot be reached raises `Unreachable`. This module imports nothing heavy: no
model, no index, no Flask.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any


class ClientError(Exception):
    """Anything that kept a request from getting its answer."""


class Unreachable(ClientError):
    """No HTTP answer at all: the server is down, the address wrong, or it timed out."""


class APIError(ClientError):
    """The API answered with an error. `problem` is its problem+json body, as sent."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status = status
        self.problem = problem
        self.title: str = problem.get("title", "Error")
        self.detail: str = problem.get("detail", "")
        self.field: str | None = problem.get("field")
        super().__init__(f"{status} {self.title}: {self.detail}")


class Client:
    """The API at `base_url`. `api_key`, when given, is sent as a bearer token."""

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        api_key: str | None = None,
        timeout: float = 120.0,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.api_key = api_key
        self.timeout = timeout

    def check(self, claim: str, k: int | None = None, **options: Any) -> dict[str, Any]:
        """Passages supporting and contradicting `claim`.

        `options`: sources, exclude_document, published_after, published_before, index.
        """
        return self._request("POST", "v1/check", {"claim": claim, "k": k, **options})

    def check_draft(self, text: str, k: int | None = None, **options: Any) -> dict[str, Any]:
        """Every sentence of `text` checked, with its offsets and verdict (same options)."""
        return self._request("POST", "v1/check-draft", {"text": text, "k": k, **options})

    def add_documents(
        self, records: Iterable[Mapping[str, Any]], index: str | None = None
    ) -> dict[str, Any]:
        """Add or update documents: records with `text` or `html`, and `id`, `title`, ..."""
        body = {"documents": [dict(record) for record in records], "index": index}
        return self._request("POST", "v1/documents", body)

    def document(self, document_id: str) -> dict[str, Any]:
        """A stored document's metadata and sentence count."""
        return self._request("GET", f"v1/documents/{_quote(document_id)}")

    def delete(self, document_id: str) -> None:
        """Retract a document and its findings. Raises APIError (404) when it is unknown."""
        self._request("DELETE", f"v1/documents/{_quote(document_id)}")

    def scan(self) -> dict[str, Any]:
        """Judge new and changed documents now (what `checker report` does first)."""
        return self._request("POST", "v1/scan")

    def discrepancies(self, limit: int = 50, offset: int = 0) -> dict[str, Any]:
        """Stored contradictions, newest first: {items, total, limit, offset}."""
        query = urllib.parse.urlencode({"limit": limit, "offset": offset})
        return self._request("GET", f"v1/discrepancies?{query}")

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        headers = {"Accept": "application/json, application/problem+json"}
        data = None
        if body is not None:
            # Options left as None are left out: the server's defaults apply.
            data = json.dumps({k: v for k, v in body.items() if v is not None}).encode()
            headers["Content-Type"] = "application/json"
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        url = urllib.parse.urljoin(self.base_url, path)
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise APIError(error.code, _problem(error)) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise Unreachable(f"{method} {url}: no answer ({reason})") from None
        return json.loads(raw) if raw else None


def _quote(document_id: str) -> str:
    return urllib.parse.quote(document_id, safe="")


def _problem(error: urllib.error.HTTPError) -> dict[str, Any]:
    """The problem+json body; something readable when a proxy answered with a page instead."""
    raw = error.read()
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if isinstance(body, dict):
        return body
    text = raw.decode("utf-8", "replace").strip()[:200]
    return {"status": error.code, "title": error.reason or "Error", "detail": text}
