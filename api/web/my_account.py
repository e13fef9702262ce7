"""The account its owner controls, on the web: a forgotten password, the address's verification, the
account page (password, sessions, export) and closing the account. Same services as the JSON API."""

from __future__ import annotations

import json
from typing import Any

from flask import abort, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext
from marshmallow import ValidationError as FormError

from api.context import attachment, deps
from api.resources.accounts import announce_after_answering
from api.resources.my_account import plain_json
from api.web.blueprint import blp, form_errors, translated
from api.web.session import require_web_user
from core.errors import Conflict, Forbidden, NotFound, RateLimited, ValidationError
from core.services import closure, email_verification, passwords, sessions
from core.services.closure import PLACEHOLDER
from schemas.accounts import CloseAccountIn, PasswordChangeIn, PasswordResetConfirmIn, PasswordResetIn

REFUSED = (FormError, ValidationError, Forbidden, Conflict, RateLimited)


def _status(refused: Exception) -> int:
    """The API's status for the same refusal."""
    statuses = {Forbidden: 403, Conflict: 409, RateLimited: 429}
    return next((s for kind, s in statuses.items() if isinstance(refused, kind)), 422)


@blp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password() -> Any:
    """Ask for a reset link; the page says the same whether or not the address has an account."""
    values = {"email": request.form.get("email", "").strip()}
    errors: dict[str, Any] = {}
    sent = False
    if request.method == "POST":
        try:
            body = PasswordResetIn().load(values)
            announce_after_answering(passwords.request_reset(deps(), body["email"], request.remote_addr))
        except FormError as invalid:
            errors = form_errors(invalid)
        except RateLimited as refused:
            errors = {"email": [translated(refused.message)]}
        else:
            sent = True
    return render_template("web/forgot_password.html", values=values, errors=errors, sent=sent), (
        422 if errors else 200
    )


@blp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Any:
    """The page the e-mailed link opens: choose a new password (the link works once)."""
    errors: dict[str, Any] = {}
    if request.method == "POST":
        try:
            body = PasswordResetConfirmIn().load({"token": token, "password": request.form.get("password", "")})
            passwords.confirm_reset(deps(), body["token"], body["password"])
        except (FormError, ValidationError) as refused:
            errors = form_errors(refused)
        else:
            session.clear()  # whoever was signed in here is signed out, as everywhere else
            return render_template("web/reset_password.html", done=True, errors={}, token=token)
    return render_template("web/reset_password.html", done=False, errors=errors, token=token), (422 if errors else 200)


@blp.route("/verify-email/<token>")
def verify_email(token: str) -> Any:
    """The link e-mailed after sign-up: opening it confirms the address (again: nothing changes)."""
    user = email_verification.verify_address(deps(), token)  # a refused link: the error page, 422
    return render_template("web/verify_email.html", person=user)


@blp.route("/me/account", methods=["GET"])
def account_page(errors: dict[str, Any] | None = None, notice: str | None = None, status: int = 200) -> Any:
    """Password, address, sessions, export and closing: the account's controls on one page."""
    user = require_web_user()
    mine = sessions.my_sessions(deps(), user, session.get("token"))
    return render_template("web/account.html", person=user, sessions=mine, errors=errors or {},
                           notice=NOTICES.get(notice or request.args.get("notice", ""))), status  # fmt: skip


NOTICES = {
    "password": lazy_gettext("Your password is changed; your other sessions are signed out."),
    "ended": lazy_gettext("That session is signed out."),
    "verification": lazy_gettext("A new verification link is on its way to your address."),
}


@blp.post("/me/account/password")
def change_password() -> Any:
    """Change the password; this browser stays signed in, every other session ends."""
    user = require_web_user()
    try:
        body = PasswordChangeIn().load({k: request.form.get(k, "") for k in ("current_password", "new_password")})
        passwords.change_password(deps(), user, body["current_password"], body["new_password"], session.get("token"))
    except REFUSED as refused:
        return account_page(errors=form_errors(refused), status=_status(refused))
    return redirect(url_for("web.account_page", notice="password"), 303)


@blp.post("/me/account/sessions/<session_id>/end")
def end_session(session_id: str) -> Any:
    """Sign one session out; ending this browser's own signs it out here too."""
    user = require_web_user()
    try:
        sessions.end_session(deps(), user, session_id)
    except NotFound:
        abort(404)
    return redirect(url_for("web.account_page", notice="ended"), 303)


@blp.post("/me/account/verification")
def ask_verification() -> Any:
    """E-mail the verification link again."""
    user = require_web_user()
    try:
        email_verification.ask_again(deps(), user)
    except (Conflict, RateLimited) as refused:
        return account_page(errors={"verification": [translated(refused.message)]}, status=_status(refused))
    return redirect(url_for("web.account_page", notice="verification"), 303)


@blp.route("/me/account/my-data.json")
def export_my_data() -> Any:
    """Everything we hold about me, as the JSON file the API gives."""
    user = require_web_user()
    exported = closure.export(deps(), user, session.get("token"))
    body = json.dumps(exported, default=plain_json, ensure_ascii=False, indent=2, sort_keys=True)
    return attachment(body, "application/json", "my-data.json")


@blp.route("/me/account/close", methods=["GET", "POST"])
def close_account() -> Any:
    """What closing keeps and why, and the form that closes the account with its password."""
    user = require_web_user()
    errors: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        try:
            body = CloseAccountIn().load({"password": request.form.get("password", "")})
            closure.close_account(deps(), user, body["password"])
        except REFUSED as refused:
            errors, status = form_errors(refused), _status(refused)
        else:
            session.clear()
            return render_template("web/account_closed.html", placeholder=PLACEHOLDER)
    return render_template("web/close_account.html", errors=errors, placeholder=PLACEHOLDER), status
