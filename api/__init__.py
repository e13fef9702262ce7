"""The HTTP API: ``create_app(config)`` builds a Flask app wired through ``bootstrap``."""

from __future__ import annotations

import logging

import swagger_ui_bundle
from flask import Flask, Response, request, send_from_directory
from werkzeug.middleware.proxy_fix import ProxyFix

from adapters.bootstrap import bootstrap
from adapters.config import Config
from adapters.kafka_bus import ensure_topics
from api import headers, i18n, observability, query, uploads, web
from api.cli import register_commands
from api.errors import MarketplaceApi, register_error_handlers
from api.repeated import RepeatedSearches
from core.services.deps import Deps
from events.types import GROUPS, all_topics


def create_app(config: Config | None = None, deps: Deps | None = None) -> Flask:
    """An app for ``config`` (default: from the environment); nothing is created at import."""
    config = config or Config.from_env()
    app = Flask(__name__)
    app.config.update(
        API_TITLE="In-situ training marketplace",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        # Served from the swagger-ui-bundle package, not a CDN: works offline too.
        OPENAPI_SWAGGER_UI_URL="/api/docs/assets/",
        MAX_CONTENT_LENGTH=1024 * 1024,
        SECRET_KEY=config.web_secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.public_base_url.startswith("https://"),
        JSON_SORT_KEYS=False,
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "info": {"description": "Book hands-on, one-day trainings in an expert's hospital."},
        },
    )
    app.extensions["marketplace.config"] = config
    app.extensions["marketplace.deps"] = deps or bootstrap(config, for_api=True)
    app.extensions["marketplace.deps"].outcomes.start()  # positioned before the first request waits

    if deps is None:
        _create_topics(config)
    api = MarketplaceApi(app)
    register_error_handlers(app)
    headers.install(app, config)
    uploads.install(app, api)
    observability.install(app)
    i18n.install(app)
    _read_your_writes(app)
    from api.resources import (
        accounts,
        admin,
        bookings,
        certificates,
        demos,
        experts,
        health,
        me,
        media,
        mentoring,
        payouts,
        pictures,
        questions,
        reviews,
        sponsorships,
        trainings,
        webhooks,
    )

    modules = (
        accounts,
        me,
        experts,
        admin,
        trainings,
        bookings,
        demos,
        sponsorships,
        payouts,
        certificates,
        reviews,
        mentoring,
        questions,
        pictures,
    )
    for module in (*modules, webhooks):
        api.register_blueprint(module.blp, url_prefix=f"/api/v1{module.PREFIX}")
    api.register_blueprint(trainings.mine, url_prefix="/api/v1/me")
    api.register_blueprint(questions.desk, url_prefix="/api/v1/admin")
    api.register_blueprint(health.blp)
    api.register_blueprint(media.blp, url_prefix=media.PREFIX)
    # The web pages are plain Flask: HTML, not part of the OpenAPI document.
    app.register_blueprint(web.blp)
    app.add_url_rule("/api/docs/assets/<path:filename>", "swagger_ui_assets", _swagger_asset)
    register_commands(app)
    query.install(app, api)
    if app.extensions["marketplace.deps"].catalogue is not None:
        app.wsgi_app = RepeatedSearches(app.wsgi_app, app.extensions["marketplace.deps"])  # type: ignore[method-assign]
    if config.proxy_hops:
        # The client's address and scheme as the proxies saw them, for the per-client limits.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.proxy_hops, x_proto=config.proxy_hops)  # type: ignore[method-assign]
    observability.wrap(app)
    return app


def _read_your_writes(app: Flask) -> None:
    """After a request that may have written, the catalogue catches up before its next search."""

    @app.after_request
    def _touch_catalogue(response: Response) -> Response:
        catalogue = app.extensions["marketplace.deps"].catalogue
        if catalogue is None or request.method in ("GET", "HEAD", "OPTIONS"):
            return response
        # A view whose requests only publish events says so (``writes_catalogue = False``): a booking
        # request then leaves the catalogue current for the next one (core/services/bookings.py).
        view = app.view_functions.get(request.endpoint or "")
        if getattr(getattr(view, "view_class", None), "writes_catalogue", True):
            catalogue.touched()
        return response


def _swagger_asset(filename: str) -> Response:
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)


def _create_topics(config: Config) -> None:
    # Topics should exist before the first publish (else the broker may auto-create
    # them with its defaults); but the API must start, and answer 503, without a broker.
    try:
        ensure_topics(config.kafka_bootstrap_servers, all_topics(config.kafka_topic_prefix, GROUPS), deadline_s=3)
    except Exception as exc:  # noqa: BLE001 - logged; the workers create them too
        logging.getLogger("api").warning("could not create topics now: %s", exc)
