"""Creating an account on the web, and an expert's credentials for verification."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext
from marshmallow import ValidationError as FormError

from api.context import deps
from api.web.blueprint import blp, form_errors
from api.web.session import require_web_user
from core.errors import Conflict, ValidationError
from core.model import Role
from core.services import accounts, verification
from core.services.accounts import require_role
from core.words import N_
from schemas.http import CredentialIn, ExpertApplicationIn, RegisterIn

# Marshmallow's own words that these forms show as they are (form_errors translates them): in the catalogue.
MARSHMALLOW_WORDS = (N_("Missing data for required field."), N_("Not a valid email address."),
                     N_("Shorter than minimum length 10."))  # fmt: skip
ROLES = {"trainee": lazy_gettext("A practitioner who wants to train"), "expert": lazy_gettext("An expert who teaches"),
         "sponsor": lazy_gettext("A medical-device company")}  # fmt: skip


@blp.route("/register", methods=["GET", "POST"])
def register() -> Any:
    """Create an account, then be signed in."""
    values = {k: v for k, v in request.form.items() if k not in ("password", "csrf")}
    errors: dict[str, Any] = {}
    if request.method == "POST":
        try:
            body = RegisterIn().load({k: v.strip() for k, v in request.form.items()
                                      if k in ("email", "password", "name", "role") and v.strip()})  # fmt: skip
            email, password, name, role = (body.pop(k) for k in ("email", "password", "name", "role"))
            accounts.register(deps(), email, password, name, Role(role), **body)
            token, _user, _ttl = accounts.login(deps(), email, password, request.remote_addr,
                                                request.headers.get("User-Agent"))  # fmt: skip
        except (FormError, Conflict, ValidationError) as invalid:
            errors = form_errors(invalid)
        else:
            session.clear()
            session["token"] = token
            target = "web.credentials" if role == "expert" else "web.catalogue_page"
            return redirect(url_for(target), 303)
    return render_template("web/register.html", values=values, errors=errors, roles=ROLES), (422 if errors else 200)


@blp.route("/me/credentials", methods=["GET", "POST"])
def credentials() -> Any:
    """An expert submits a credential; an admin checks it before the expert may publish."""
    expert = require_web_user()
    require_role(expert, Role.EXPERT)
    values = {k: v for k, v in request.form.items() if k != "csrf"}
    errors: dict[str, Any] = {}
    if request.method == "POST":
        try:
            credential = CredentialIn().load({k: v.strip() for k, v in values.items() if v.strip()})
            if credential.get("valid_until"):
                credential["valid_until"] = credential["valid_until"].isoformat()
            expert = verification.submit_credentials(deps(), expert, [credential])
        except (FormError, Conflict, ValidationError) as invalid:
            errors = form_errors(invalid)
        else:
            values = {}
    return render_template("web/credentials.html", expert=expert, values=values, errors=errors), (
        422 if errors else 200
    )


@blp.route("/me/teach", methods=["GET", "POST"])
def apply_to_teach() -> Any:
    """A trainee asks to teach: one credential and the profile trainees will read; the admin checks them."""
    trainee = require_web_user()
    require_role(trainee, Role.TRAINEE)
    values = {k: v.strip() for k, v in request.form.items() if k != "csrf"}
    errors: dict[str, Any] = {}
    if request.method == "POST":
        credential_fields = ("kind", "number", "issuer", "country", "url", "valid_until")
        body = {k: values[k] for k in ("institution", "specialty", "title", "bio") if values.get(k)}
        body["credentials"] = [{k: values[k] for k in credential_fields if values.get(k)}]
        try:
            loaded = ExpertApplicationIn().load(body)
            loaded["credentials"] = [{**c, "valid_until": c["valid_until"].isoformat()} if c.get("valid_until")
                                     else c for c in loaded["credentials"]]  # fmt: skip
            verification.apply_to_teach(deps(), trainee, loaded)
        except FormError as invalid:
            messages = dict(invalid.messages_dict)
            credential = messages.pop("credentials", {})  # {0: {"number": [...]}}: the form's one credential
            if isinstance(credential, dict):
                messages.update(credential.get(0, {}))
            errors = form_errors(FormError(messages))
        except (Conflict, ValidationError) as refused:
            errors = form_errors(refused)
        else:
            return redirect(url_for("web.credentials"), 303)
    return render_template("web/teach.html", values=values, errors=errors), (422 if errors else 200)
