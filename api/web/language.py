"""The language switcher on every page: the choice is kept in the session, and in the profile when signed in."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, session

from adapters import l10n
from api.context import deps
from api.web.blueprint import blp
from api.web.session import safe_next, web_user
from core.services import profiles


@blp.post("/language")
def choose_language() -> Any:
    """Read the site in another language from now on, back on the page the switcher was on."""
    chosen = request.form.get("locale", "")
    if chosen in l10n.LANGUAGES:
        session["locale"] = chosen
        user = web_user()
        if user is not None and user.locale != chosen:
            profiles.update_profile(deps(), user, {"locale": chosen})  # e-mails and certificates follow
    return redirect(safe_next(request.form.get("next")))
