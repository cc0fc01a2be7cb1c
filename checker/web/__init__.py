"""The HTTP service: `create_app()` builds a Flask app around one `Checker`.

gunicorn runs `checker.web:create_app()`. Nothing is loaded at import time: the factory
opens the index and loads the models, and keeps the Checker in `app.extensions["checker"]`.
"""

from __future__ import annotations

from flask import Flask

from checker.service import Checker
from checker.settings import Settings
from checker.web import auth, cors
from checker.web.api import api
from checker.web.docs import docs
from checker.web.indexes import Indexes
from checker.web.pages import pages
from checker.web.problems import register_error_handlers


def create_app(settings: Settings | None = None, checker: Checker | None = None) -> Flask:
    """Build the app. Tests pass a ready `checker`; gunicorn passes nothing (env settings)."""
    settings = settings or (checker.settings if checker else Settings.from_env())
    checker = checker or Checker.from_settings(settings)
    checker.load_models()  # now, not on the first request: /readyz then means ready
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the documented field order
    app.extensions["checker"] = Indexes(checker)
    app.register_blueprint(api)
    app.register_blueprint(pages)
    app.register_blueprint(docs)
    register_error_handlers(app)
    auth.install(app, settings.rate_limit_per_minute, settings.open_reads)
    cors.install(app, settings.cors_origins)
    return app
