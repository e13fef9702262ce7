"""Editing one's own profile on the web: the fields one's role may set (``profiles.ROLE_FIELDS``),
checked by the API's own schema (``ProfileIn``), and the language the site speaks to me in."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, session, url_for
from marshmallow import ValidationError as FormError

from adapters import l10n
from api.context import deps
from api.web.blueprint import blp, form_errors
from api.web.session import require_web_user
from core.errors import Conflict, ValidationError
from core.model import User
from core.services import profiles
from schemas.http import ProfileIn

# The order the form shows them in; each role sees only its own (ROLE_FIELDS).
FORM_ORDER = ("name", "title", "specialty", "institution", "company", "country", "languages", "bio", "locale")


@blp.route("/me/profile", methods=["GET", "POST"])
def profile_page() -> Any:
    """My profile: what others read about me, and my language (pages, e-mails, certificates)."""
    user = require_web_user()
    shown = [name for name in FORM_ORDER if name in profiles.ROLE_FIELDS[user.role]]
    values = {k: str(v) for k, v in request.form.items() if k != "csrf"} if request.method == "POST" else (
        _current(user))  # fmt: skip
    errors: dict[str, Any] = {}
    if request.method == "POST":
        body = _body(request.form, shown)
        try:
            loaded = ProfileIn().load({k: v for k, v in body.items() if v is not None})
            profiles.update_profile(deps(), user, {**{k: None for k, v in body.items() if v is None}, **loaded})
        except FormError as invalid:
            errors = form_errors(FormError(flat_messages(invalid.messages_dict)))
        except (Conflict, ValidationError) as refused:
            errors = form_errors(refused)
        else:
            if body.get("locale"):
                session["locale"] = body["locale"]  # the switcher's choice follows the profile's
            elif "locale" in body:
                session.pop("locale", None)  # none chosen: the browser's language again
            return redirect(url_for("web.profile_page", saved=1), 303)
    return render_template(
        "web/profile.html", user=user, shown=shown, values=values, errors=errors, languages_offered=l10n.NAMES,
        saved=request.args.get("saved") == "1",
    ), (422 if errors else 200)  # fmt: skip


def _body(form: Any, shown: list[str]) -> dict[str, Any]:
    """The API's profile fields from the form; a blank one is cleared (``None``), the name excepted."""
    body: dict[str, Any] = {}
    for name in shown:
        text = str(form.get(name, "")).strip()
        if name == "languages":
            body[name] = [x.strip().lower() for x in text.split(",") if x.strip()]
        elif name == "country":
            body[name] = text.upper() or None
        elif name == "name":
            body[name] = text  # required: a blank one is refused beside the field
        else:
            body[name] = text or None
    return body


def flat_messages(messages: dict[str, Any]) -> dict[str, list[str]]:
    """A list field's errors (``{"languages": {1: [...]}}``) as one field's messages."""
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        if isinstance(value, dict):
            flat[key] = [str(m) for ms in value.values() for m in (ms if isinstance(ms, list) else [ms])]
        else:
            flat[key] = value if isinstance(value, list) else [str(value)]
    return flat


def _current(user: User) -> dict[str, str]:
    values = {k: getattr(user, k) or "" for k in FORM_ORDER if k != "languages"}
    return {**values, "languages": ", ".join(user.languages)}
