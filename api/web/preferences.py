"""Which notifications reach me, on the web: the preferences form, and the one-click unsubscribe
that every e-mail links to (and offers mail clients as ``List-Unsubscribe``, RFC 8058)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext

from api.context import deps
from api.web.blueprint import blp
from api.web.session import require_web_user
from core.services import inbox
from core.services.delivery import CATEGORIES, CHANNELS

CHANNEL_LABELS = {"inbox": lazy_gettext("In the inbox"), "email": lazy_gettext("By e-mail")}


@blp.route("/me/notification-preferences", methods=["GET", "POST"])
def preferences_page() -> Any:
    """Every category, on or off per channel; a box left unticked switches it off."""
    user = require_web_user()
    saved = False
    if request.method == "POST":
        chosen = {ch: {cat: f"{ch}.{cat}" in request.form for cat in CATEGORIES} for ch in CHANNELS}
        inbox.set_preferences(deps(), user, chosen)
        saved = True
    return render_template(
        "web/preferences.html", preferences=inbox.my_preferences(deps(), user), categories=CATEGORIES,
        channels=CHANNEL_LABELS, saved=saved,
    )  # fmt: skip


@blp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> Any:
    """GET shows one button, POST switches the category's e-mails off: a link scanner that follows
    the link changes nothing, a mail client's one-click POST (``List-Unsubscribe=One-Click``) does.

    The signed token is the authority, so neither a session nor a CSRF token is asked for.
    """
    if request.method == "POST":
        person, category = inbox.unsubscribe(deps(), token)
        if request.form.get("List-Unsubscribe") == "One-Click":
            return "", 200  # a mail client: it reads nothing
        return redirect(url_for("web.unsubscribe", token=token, done=1), 303)
    person, category = inbox.unsubscription(deps(), token)
    return render_template(
        "web/unsubscribe.html", token=token, person=person, category=CATEGORIES[category],
        done=request.args.get("done") == "1",
    )  # fmt: skip
