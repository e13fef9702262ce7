"""An expert's pages beyond the wizard: copy a training to a new date, mark one held after its day,
the demos shown at it, and what I earned over a period.

The training's page (``web.expert_training``) shows these forms; when one is refused the same page
comes back with the problem beside the form, as the API would have answered it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError as FormError

from api.context import deps
from api.web.blueprint import blp, form_errors
from api.web.session import require_web_user
from core.errors import Conflict, ValidationError
from core.ledger import lines_by_training
from core.model import Role, Training, TrainingStatus, User, can_move_training, zone_of
from core.services import demos, ledger, trainings
from core.services.accounts import require_role
from schemas.catalogue import DuplicateIn
from schemas.payments import PeriodArgs

DEMOS_SHOWN = 50


def _expert() -> User:
    user = require_web_user()
    require_role(user, Role.EXPERT)
    return user


def training_flows(training: Training) -> dict[str, Any]:
    """What the training's page needs for these forms: the demos shown there, whether it may be
    marked held now, the copy form's values, and a refused form's errors (set by the routes below)."""
    shown, _ = demos.search_demos(deps(), None, None, training.id, DEMOS_SHOWN, 0)
    may_complete = (
        can_move_training(training.status, TrainingStatus.COMPLETED)
        and training.status is TrainingStatus.PUBLISHED
        and training.ends_at is not None
        and training.ends_at <= deps().clock()
    )
    zone = zone_of(training.timezone)
    start = f"{training.starts_at.astimezone(zone):%H:%M}" if training.starts_at and zone else ""
    values = {"start_time": start, **g.get("flow_values", {})}
    return {"shown_demos": shown, "may_complete": may_complete, "flow_values": values,
            "flow_errors": g.get("flow_errors", {})}  # fmt: skip


def _again(training_id: str, errors: dict[str, Any], status: int, values: dict[str, Any] | None = None) -> Any:
    """The training's page again, the refusal beside its form."""
    from api.web.expert import expert_training  # the page this module's forms are on

    g.flow_errors, g.flow_values = errors, values or {}
    return expert_training(training_id), status


@blp.post("/me/trainings/<training_id>/duplicate")
def duplicate_training(training_id: str) -> Any:
    """A new draft copying this training to another day (same hours unless told), then its wizard."""
    expert = _expert()
    source = trainings.own_training(deps(), expert, training_id)  # another's is refused before its form is read
    day, start = (request.form.get(k, "").strip() for k in ("day", "start_time"))
    values = {"day": day, "start_time": start}
    zone = zone_of(source.timezone) or zone_of("UTC")
    try:
        when = datetime.fromisoformat(f"{day}T{start or '08:00'}").replace(tzinfo=zone)
    except ValueError:
        field = "day" if not _is_day(day) else "start_time"
        message = gettext("A day, e.g. 2027-03-01.") if field == "day" else gettext("A time, e.g. 08:00.")
        return _again(training_id, {field: [message]}, 422, values)
    try:
        body = DuplicateIn().load({"starts_at": when.isoformat()})
        copy = trainings.duplicate_training(deps(), expert, training_id, body["starts_at"], body.get("ends_at"))
    except (FormError, ValidationError) as invalid:
        errors = form_errors(invalid)
        errors = {{"starts_at": "day", "ends_at": "start_time"}.get(k, k): v for k, v in errors.items()}
        return _again(training_id, errors, 422, values)
    return redirect(url_for("web.edit_training", training_id=copy.id, step=5), 303)


@blp.post("/me/trainings/<training_id>/complete")
def complete_training(training_id: str) -> Any:
    """Mark the training held, once its day is over: it then leaves the upcoming ones."""
    expert = _expert()
    try:
        trainings.complete_training(deps(), expert, training_id)
    except Conflict as refused:
        return _again(training_id, {"complete": form_errors(refused).get("form", [])}, 409)
    return redirect(url_for("web.expert_training", training_id=training_id), 303)


@blp.get("/me/payouts")
def my_payouts() -> Any:
    """What I earned over a period, per training and in total per currency, as ``GET /api/v1/me/payouts``."""
    expert = _expert()
    form = {k: request.args.get(k, "").strip() for k in ("from", "to")}
    try:
        period = PeriodArgs().load({k: v for k, v in form.items() if v})
        checked = ledger.check_period(period["start"], period["end"])
    except (FormError, ValidationError) as invalid:
        errors = {{"from_": "from"}.get(k, k): v for k, v in form_errors(invalid).items()}
        return render_template("web/my_payouts.html", form=form, errors=errors, period=None), 422
    totals, entries = ledger.my_payouts(deps(), expert, checked)
    lines = lines_by_training(entries)
    held = {tid: deps().trainings.get(tid) for tid in {tid for tid, _ in lines}}
    return render_template("web/my_payouts.html", form=form, errors={}, period=checked, totals=totals,
                           lines=lines, trainings=held)  # fmt: skip


def _is_day(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        return False
    return True
