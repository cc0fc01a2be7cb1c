"""CORS for an allow-list of origins (`cors_origins`), by flask-cors: editorial tools on other
origins call the API and import `/static/checker-ui.js` as a module.

Only a listed origin is echoed back, and only on the shared paths (the API, static files,
the schema, the health endpoints; never the pages); there is never a wildcard, and never
`Access-Control-Allow-Credentials` (keys travel in headers, not cookies). Preflight OPTIONS
requests are answered by Flask's automatic OPTIONS, with flask-cors's headers added and no
key asked for. Every answer on a shared path carries `Vary: Origin`, with or without an
`Origin`, so that a cache never serves one origin's answer to another.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_cors import CORS

from checker.errors import InvalidInput

ALLOWED_HEADERS = ["Authorization", "X-API-Key", "Content-Type"]
EXPOSED_HEADERS = ["Retry-After", "WWW-Authenticate"]
METHODS = ["GET", "POST", "PATCH", "DELETE", "OPTIONS"]
_SHARED_PATHS = ("/v1/", "/static/", "/openapi.json", "/healthz", "/readyz")
# flask-cors matches a resource as a regular expression from the start of the path.
_RESOURCES = [r"/v1/.*", r"/static/.*", r"/openapi\.json$", r"/healthz$", r"/readyz$"]


def parse_origins(raw: str) -> frozenset[str]:
    origins = frozenset(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
    for origin in origins:
        if origin == "*" or "://" not in origin:
            raise InvalidInput(
                f"CHECKER_CORS_ORIGINS must list origins like https://cms.example.org; "
                f"got {origin!r} (a wildcard is not allowed)",
                field="cors_origins",
            )
    return origins


def install(app: Flask, raw_origins: str) -> None:
    origins = parse_origins(raw_origins)
    if not origins:
        return
    options = {
        # Plain strings are compared whole (case-insensitively), never as patterns.
        "origins": sorted(origins),
        "methods": METHODS,
        "allow_headers": ALLOWED_HEADERS,
        "expose_headers": EXPOSED_HEADERS,
        "supports_credentials": False,
        "max_age": 600,
        "always_send": False,  # no Origin, no CORS headers
        "vary_header": False,  # set below, on every shared answer
    }
    CORS(app, resources={pattern: options for pattern in _RESOURCES})

    @app.after_request
    def vary_by_origin(response: Response) -> Response:
        if request.path.startswith(_SHARED_PATHS):
            response.vary.add("Origin")
        return response
