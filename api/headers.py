"""Security headers on every response: no sniffing, no framing, a strict content policy.

The web pages load scripts only from this site and from Stripe.js (whose origin comes from
``STRIPE_JS_URL``: localstripe's in development, js.stripe.com in production), and they
carry no inline script. The interactive API documentation is the one page that runs
inline code (Swagger UI's bootstrap), so it gets its own, looser policy.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

from adapters.config import Config

# Stripe's documented hosts for Stripe.js and its card frames.
_STRIPE_HOSTS = {
    "script": ["https://js.stripe.com"],
    "frame": ["https://js.stripe.com", "https://hooks.stripe.com"],
    "connect": ["https://api.stripe.com"],
}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def page_policy(config: Config) -> str:
    """The Content-Security-Policy of the web pages."""
    stripe = _origin(config.stripe_js_url)
    # Stripe's own hosts, or everything from the one origin serving a local Stripe.js.
    hosts = {kind: " ".join(_STRIPE_HOSTS[kind] if stripe == "https://js.stripe.com" else [stripe])
             for kind in _STRIPE_HOSTS}  # fmt: skip
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {hosts['script']}",
            f"frame-src {hosts['frame']}",
            f"connect-src 'self' {hosts['connect']}",
            # Stripe.js styles the card fields it injects.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'"
)


def install(app: Flask, config: Config) -> None:
    """Add the headers to every response of ``app``."""
    pages = page_policy(config)
    strict_transport = config.public_base_url.startswith("https://")

    @app.after_request
    def _secure(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        docs = request.path.startswith("/api/docs")
        headers.setdefault("Content-Security-Policy", DOCS_POLICY if docs else pages)
        if request.path.startswith("/api/") and not docs:
            # Answers about bookings, payments and accounts are never kept by caches.
            headers.setdefault("Cache-Control", "no-store")
        if strict_transport:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
