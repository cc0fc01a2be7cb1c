"""The one exception tree. Every error the checker raises on purpose is a `CheckerError`.

Each error knows its HTTP status and a short title, so the web layer turns any of them into
an RFC 9457 `application/problem+json` response and the CLI into one line on stderr with a
non-zero exit code (`exit_code`). Anything else that escapes is a bug.

    CheckerError                   500  base class
    ├── InvalidInput               422  a request or document that cannot be used as given
    │   └── MalformedRequest       400  the body is not JSON, or not an object
    ├── PayloadTooLarge            413  over a configured size limit
    ├── Unauthorized               401  no API key, or one that is unknown or revoked
    ├── Forbidden                  403  a key whose scope does not allow the request
    ├── RateLimited                429  a key over its requests per minute
    ├── NotFound                   404  no such document or route
    ├── IndexUnavailable           503  the index is missing, corrupt or unusable
    │   └── IndexMismatch          409  the index was built with another embedding model
    ├── ModelError                 503  a model could not be loaded
    └── ClusterUnavailable         503  the Ray cluster (CHECKER_RAY_ADDRESS) cannot be reached,
                                        lacks what the work needs, or failed during a run
"""

from __future__ import annotations


class CheckerError(Exception):
    status = 500
    title = "Internal error"
    exit_code = 1

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer must carry (a challenge, a retry delay)."""
        return {}


class InvalidInput(CheckerError):
    status = 422
    title = "Invalid input"
    exit_code = 2

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field


class MalformedRequest(InvalidInput):
    status = 400
    title = "Malformed request"


class PayloadTooLarge(CheckerError):
    status = 413
    title = "Payload too large"
    exit_code = 2


class Unauthorized(CheckerError):
    status = 401
    title = "Unauthorized"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="checker"'}


class Forbidden(CheckerError):
    status = 403
    title = "Forbidden"


class RateLimited(CheckerError):
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class NotFound(CheckerError):
    status = 404
    title = "Not found"
    exit_code = 3


class IndexUnavailable(CheckerError):
    status = 503
    title = "Index unavailable"
    exit_code = 4


class IndexMismatch(IndexUnavailable):
    status = 409
    title = "Index built with another model"


class ModelError(CheckerError):
    status = 503
    title = "Model unavailable"
    exit_code = 5


class ClusterUnavailable(CheckerError):
    status = 503
    title = "Cluster unavailable"
    exit_code = 6
