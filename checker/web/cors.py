"""CORS for an allow-list of origins (`cors_origins`): editorial tools on other origins call
the API and import `/static/checker-ui.js` as a module.

Only a listed origin is echoed back, with `Vary: Origin` so caches keep answers apart; there
is never a wildcard, and never `Access-Control-Allow-Credentials` (keys travel in headers,
not cookies). Preflight OPTIONS requests are answered by Flask's automatic OPTIONS, with
these headers added and no key asked for.
"""

from __future__ import annotations

from flask import Flask, Response, request

from checker.errors import InvalidInput

ALLOWED_HEADERS = "Authorization, X-API-Key, Content-Type"
EXPOSED_HEADERS = "Retry-After, WWW-Authenticate"
_SHARED_PATHS = ("/v1/", "/static/", "/openapi.json", "/healthz", "/readyz")


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

    @app.after_request
    def allow_listed_origins(response: Response) -> Response:
        if not request.path.startswith(_SHARED_PATHS):
            return response
        response.vary.add("Origin")
        origin = request.headers.get("Origin", "")
        if origin not in origins:
            return response
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, DELETE, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = "600"
        return response
