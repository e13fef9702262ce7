"""The admin's operations desk: what operators otherwise do with ``flask --app api ...``.

Dead letters per consumer group (read one, replay it once its cause is fixed), consumer lag,
the reconciliation of the ledger with Stripe, and the payouts CSV. The broker reads and the
replays are api/operations.py's, the commands' own; here they wait a few seconds at most.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError as FormError

from adapters.config import Config
from api import operations
from api.context import attachment, deps
from api.i18n import local, money
from api.web.blueprint import blp, form_errors
from api.web.session import require_web_user
from core.errors import Conflict, ValidationError
from core.model import Role, User
from core.services import ledger
from core.services.accounts import require_role
from events.types import GROUPS
from schemas.payments import PeriodArgs
from schemas.web import ReconcileForm

# A page answers within seconds, or says the broker does not: the commands wait minutes.
DESK_TIMEOUT_S = 10.0


@blp.get("/admin/operations")
def operations_desk() -> Any:
    """The desk: each group's dead letters, the lag, the reconciliation and the payouts (admin)."""
    _admin()
    return render_template("web/admin_operations.html", groups=GROUPS)


@blp.get("/admin/operations/dead-letters/<group>")
def dead_letters_page(group: str) -> Any:
    """A group's dead letters, oldest first, with their error and whether they were replayed (admin)."""
    _admin()
    found = operations.dead_letters(_config(), group, DESK_TIMEOUT_S)
    sent, skipped = (request.args.get(k, type=int) for k in ("sent", "skipped"))
    return render_template("web/admin_operations_letters.html", found=found, sent=sent, skipped=skipped)


@blp.get("/admin/operations/dead-letters/<group>/<ref>")
def dead_letter_page(group: str, ref: str) -> Any:
    """One dead letter: its error, headers, key and value, and the form that replays it (admin)."""
    _admin()
    found = operations.dead_letters(_config(), group, DESK_TIMEOUT_S)
    letter = found.find(ref)
    return render_template("web/admin_operations_letter.html", group=group, letter=letter,
                           replayed_at=found.replayed.get(ref), value=_readable(letter.value))  # fmt: skip


@blp.post("/admin/operations/dead-letters/<group>/replay")
def replay_dead_letters(group: str) -> Any:
    """Send the chosen dead letters (or every one) back to their topic; one replayed before only
    with "again", as ``flask dead-letters replay --again`` (admin)."""
    _admin()
    refs = request.form.getlist("ref")
    if not refs and request.form.get("all") != "yes":
        raise ValidationError(gettext("Choose the dead letters to replay."), {"ref": [gettext("Choose at least one.")]})
    done = operations.replay(_config(), group, refs, request.form.get("again") == "yes", DESK_TIMEOUT_S)
    sent = sum(r.topic is not None for r in done)
    if done and not sent:
        before = max(r.before for r in done if r.before is not None)
        raise Conflict(_already_replayed(done, before))
    return redirect(url_for("web.dead_letters_page", group=group, sent=sent, skipped=len(done) - sent), 303)


@blp.get("/admin/operations/journey")
def journey_page() -> Any:
    """One booking's journey, as ``flask --app api trace`` prints it, once its id is given (admin)."""
    _admin()
    booking_id = request.args.get("booking_id", "").strip()
    found = operations.journey(_config(), booking_id, DESK_TIMEOUT_S) if booking_id else None
    return render_template("web/admin_operations_journey.html", booking_id=booking_id, journey=found)


@blp.get("/admin/operations/lag")
def lag_page() -> Any:
    """Each group's committed offset and pending records per partition (admin)."""
    _admin()
    rows = operations.lag(_config(), (), DESK_TIMEOUT_S)
    pending = {g: sum(r.pending for r in rows if r.group == g) for g in GROUPS}
    return render_template("web/admin_operations_lag.html", rows=rows, pending=pending)


@blp.get("/admin/operations/reconciliation")
def reconciliation_page() -> Any:
    """The ledger against Stripe's PaymentIntents and refunds over a period, once the form is sent (admin)."""
    _admin()
    form = {k: request.args.get(k, "").strip() for k in ("from", "to")}
    errors: dict[str, Any] = {}
    period, differences = None, None
    if request.args:
        try:
            bounds = ReconcileForm().load(form)
            period = ledger.check_period(bounds["start"], bounds["end"])
            differences = ledger.reconcile(deps(), period)
        except (FormError, ValidationError) as invalid:
            errors = form_errors(invalid)
    details = [_detail(d) for d in differences or ()]
    return render_template("web/admin_operations_reconciliation.html", form=form, errors=errors, period=period,
                           differences=differences, details=details), (400 if errors else 200)  # fmt: skip


@blp.get("/admin/operations/payouts")
def payouts_page() -> Any:
    """Every expert's payout over a period (this month by default), and the CSV to download (admin)."""
    return _payouts(_admin())


@blp.get("/admin/operations/payouts.csv")
def payouts_download() -> Any:
    """The payouts of a period as CSV for the accountant, as ``GET /api/v1/admin/payouts.csv`` (admin)."""
    admin = _admin()
    try:
        period = _period()
    except (FormError, ValidationError):
        return _payouts(admin)
    name = f"payouts-{period.start.date()}-{period.end.date()}.csv"
    return attachment(ledger.payouts_csv(deps(), admin, period), "text/csv", name)


def _payouts(admin: User) -> Any:
    form = {k: request.args.get(k, "").strip() for k in ("from", "to")}
    try:
        period = _period()
    except (FormError, ValidationError) as invalid:
        page = render_template("web/admin_operations_payouts.html", form=form, errors=form_errors(invalid))
        return page, 400
    lines, experts = ledger.payouts(deps(), admin, period)
    return render_template("web/admin_operations_payouts.html", form=form, errors={}, period=period, lines=lines,
                           experts=experts)  # fmt: skip


def _period() -> ledger.Period:
    """The payouts' period from the query: whole UTC days, as the API's export."""
    bounds = PeriodArgs().load({k: v.strip() for k, v in request.args.items() if k in ("from", "to") and v.strip()})
    return ledger.check_period(bounds["start"], bounds["end"])


def _admin() -> User:
    user = require_web_user()
    require_role(user, Role.ADMIN)
    return user


def _config() -> Config:
    return current_app.extensions["marketplace.config"]  # type: ignore[no-any-return]


def _already_replayed(done: list[operations.Replay], before: datetime) -> str:
    """Why nothing was sent, in the admin's language: one sentence per count, so it reads whole."""
    when = local(before, None, "datetime")
    if len(done) == 1:
        return gettext("Dead letter %(ref)s was replayed already (last on %(when)s UTC); nothing was sent. "
                       "Tick \u201cReplay again\u201d to send it once more.",
                       ref=done[0].letter.ref, when=when)  # fmt: skip
    return gettext("All %(num)s dead letters were replayed already (last on %(when)s UTC); nothing was sent. "
                   "Tick \u201cReplay again\u201d to send them once more.", num=len(done), when=when)  # fmt: skip


def _detail(difference: ledger.Difference) -> str:
    """A reconciliation difference in the admin's words, its amounts as they write money."""
    facts = {k: money(*v) if isinstance(v, tuple) else v for k, v in difference.facts.items()}
    return gettext(difference.message) % facts


def _readable(value: bytes) -> str:
    """The record's value as a person reads it: indented JSON when it is JSON."""
    text = value.decode(errors="replace")
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text
