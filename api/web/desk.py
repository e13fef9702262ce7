"""Pages every signed-in person has (the inbox) and the admin's desk (experts to verify)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext

from api.context import deps
from api.web.blueprint import blp
from api.web.session import require_web_user
from core.errors import ValidationError
from core.model import Verification
from core.services import inbox, verification


@blp.get("/me/inbox")
def inbox_page() -> Any:
    """My notifications, newest first, unread ones marked."""
    user = require_web_user()
    return render_template("web/inbox.html", **inbox.my_notifications(deps(), user, False, 100))


@blp.post("/me/inbox/read")
def inbox_read() -> Any:
    """Mark one notification read (or all of them)."""
    user = require_web_user()
    notification_id = request.form.get("id")
    if notification_id:
        inbox.mark_read(deps(), user, notification_id)
    else:
        inbox.mark_all_read(deps(), user)
    return redirect(url_for("web.inbox_page"), 303)


@blp.get("/admin/experts")
def experts_to_verify() -> Any:
    """Experts waiting for their credentials to be checked, oldest first (admin)."""
    admin = require_web_user()
    waiting, total = verification.experts_to_check(deps(), admin, Verification.PENDING, 100, 0)
    verified, verified_total = verification.experts_to_check(deps(), admin, Verification.VERIFIED, 100, 0)
    return render_template("web/admin_experts.html", experts=waiting, total=total, verified=verified,
                           verified_total=verified_total)  # fmt: skip


@blp.post("/admin/experts/<expert_id>")
def decide_expert(expert_id: str) -> Any:
    """Verify an expert, reject, or withdraw a verification, with the reason they will read."""
    admin = require_web_user()
    decision = request.form.get("decision")
    if decision == "verify":
        verification.verify_expert(deps(), admin, expert_id)
        return redirect(url_for("web.experts_to_verify"), 303)
    reason = (request.form.get("reason") or "").strip()
    if len(reason) < 5:
        raise ValidationError(gettext("Say why, in a few words (5 characters or more)."),
                              {"reason": [gettext("Required.")]})  # fmt: skip
    if decision == "withdraw":
        verification.withdraw_verification(deps(), admin, expert_id, reason)
    else:
        verification.reject_expert(deps(), admin, expert_id, reason)
    return redirect(url_for("web.experts_to_verify"), 303)
