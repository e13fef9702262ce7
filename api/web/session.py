"""Signing in on the web: the bearer token kept in a signed, HttpOnly cookie, and CSRF checks.

The token is the API's own (``accounts.login``), so logging out revokes it like the API
does. Every POST from a page carries the session's CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import abort, g, redirect, render_template, request, session, url_for
from flask_babel import gettext, lazy_gettext

from api.context import deps
from api.web.blueprint import blp
from core.errors import RateLimited, Unauthorized
from core.model import User
from core.services import accounts, profiles


def web_user() -> User | None:
    """The signed-in person, or None (an expired or revoked token signs out).

    Looked up once per request: the view, the layout and its templates all ask.
    """
    token = session.get("token")
    if not token:
        return None
    cached = g.get("web_user")
    if cached is not None and cached[0] == token:
        return cached[1]  # type: ignore[no-any-return]
    try:
        user = accounts.authenticate(deps(), token)
    except Unauthorized:
        session.clear()
        return None
    g.web_user = (token, user)
    return user


def require_web_user() -> User:
    """The signed-in person; otherwise the sign-in page is where we go (raised as a redirect)."""
    user = web_user()
    if user is None:
        abort(redirect(url_for("web.login", next=request.full_path.rstrip("?"))))
    return user


def csrf_token() -> str:
    """This session's CSRF token, made on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


@blp.app_context_processor
def _globals() -> dict[str, Any]:
    return {"csrf_token": csrf_token, "me": web_user}


# Signed capability links that carry their own proof, posted by mail clients without a page.
CSRF_EXEMPT = frozenset({"web.unsubscribe"})


@blp.before_request
def _check_csrf() -> None:
    if request.method != "POST" or request.endpoint in CSRF_EXEMPT:
        return
    sent = request.form.get("csrf") or request.headers.get("X-CSRF-Token", "")
    if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
        abort(400, gettext("The form expired or did not come from this site; reload the page and try again."))


def safe_next(target: str | None) -> str:
    """Only a path on this site: never a redirect to somewhere else."""
    if not target or urlsplit(target).netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("web.catalogue_page")
    return target


@blp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The sign-in form."""
    error, status = None, 200
    email = request.form.get("email", "")
    if request.method == "POST":
        try:
            token, _user, _ttl = accounts.login(deps(), email, request.form.get("password", ""), request.remote_addr,
                                                request.headers.get("User-Agent"))  # fmt: skip
        except (Unauthorized, RateLimited) as refused:
            error, status = _refusal_words(refused), 429 if isinstance(refused, RateLimited) else 401
        else:
            chosen = session.get("locale")
            session.clear()  # a fresh session (and CSRF token) on every sign-in
            session["token"] = token
            if chosen:
                session["locale"] = chosen  # the language picked before signing in stays
            return redirect(safe_next(request.args.get("next")))
    return render_template("web/login.html", error=error, email=email), status


# The sign-in refusals the core words in English, as the form shows them in the page's language.
_WRONG_PASSWORD = lazy_gettext("Wrong e-mail or password.")
_TOO_MANY = {
    "Too many failed sign-ins;": lazy_gettext("Too many failed sign-ins; try again in %(seconds)s seconds."),
    "Too many sign-in attempts;": lazy_gettext("Too many sign-in attempts; try again in %(seconds)s seconds."),
}


def _refusal_words(refused: Unauthorized | RateLimited) -> str:
    """Why the sign-in failed, for this page's reader (a refusal we do not know keeps its words)."""
    if isinstance(refused, RateLimited):
        found = next((m for start, m in _TOO_MANY.items() if refused.message.startswith(start)), None)
        return str(found) % {"seconds": refused.retry_after_s} if found else refused.message
    return str(_WRONG_PASSWORD) if refused.message == "Wrong e-mail or password." else refused.message


@blp.post("/logout")
def logout() -> Any:
    """Sign out and revoke the token."""
    token = session.get("token")
    if token:
        profiles.logout(deps(), token)
    session.clear()
    return redirect(url_for("web.catalogue_page"))
