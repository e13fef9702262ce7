"""An expert's pages: a training created in five steps (a draft saved at each), my trainings with
their bookings, approvals, waitlist and attendees, and cancelling a training."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import redirect, render_template, request, url_for
from marshmallow import ValidationError as FormError

from api.context import deps
from api.web.blueprint import blp, form_errors
from api.web.expert_flows import training_flows
from api.web.pictures import photos_context
from api.web.session import require_web_user
from core.errors import ValidationError
from core.goals import LEVELS
from core.model import BookingStatus, Role, Training, TrainingStatus, can_move_training, zone_of
from core.questions import QuestionState
from core.services import approvals, attendance, demos, questions, trainings
from core.services.accounts import require_role
from schemas.catalogue import CURRENCIES, TrainingPatch

STEPS = {1: "Description", 2: "Programme", 3: "Date and venue", 4: "Seats and price", 5: "Review and publish"}
PROGRAMME_ROWS = 8


def _expert() -> Any:
    user = require_web_user()
    require_role(user, Role.EXPERT)
    return user


@blp.get("/me/trainings")
def my_trainings() -> Any:
    """My trainings, drafts included, with their bookings at a glance."""
    expert = _expert()
    items, _total = trainings.my_trainings(deps(), expert, 100, 0)
    pending = {b.training_id for b, _ in approvals.pending_requests(deps(), expert)}
    return render_template("web/my_trainings.html", items=items, pending=pending)


@blp.route("/me/trainings/new", methods=["GET", "POST"])
def new_training() -> Any:
    """Step 1 of a new training: saving it makes the draft."""
    expert = _expert()
    values: dict[str, Any] = dict(request.form) if request.method == "POST" else {}
    errors: dict[str, Any] = {}
    if request.method == "POST":
        try:
            fields = _load(_fields(1, request.form), partial=False)
            draft = trainings.create_training(deps(), expert, fields)
        except (FormError, ValidationError) as invalid:
            errors = _errors(invalid)
        else:
            return redirect(url_for("web.edit_training", training_id=draft.id, step=2), 303)
    return render_template("web/wizard.html", step=1, steps=STEPS, training=None, values=values, errors=errors,
                           currencies=CURRENCIES, rows=PROGRAMME_ROWS), (422 if errors else 200)  # fmt: skip


@blp.route("/me/trainings/<training_id>/edit/<int:step>", methods=["GET", "POST"])
def edit_training(training_id: str, step: int) -> Any:
    """One step of the wizard: save the draft and go on, or publish at the last step."""
    expert = _expert()
    training = trainings.get_training(deps(), training_id, viewer=expert)
    if training.expert_id != expert.id or step not in STEPS:
        return redirect(url_for("web.my_trainings"))
    errors: dict[str, Any] = {}
    values = _current(training)
    if request.method == "POST":
        values.update(request.form)
        try:
            if step == 5:
                trainings.publish_training(deps(), expert, training_id)
                return redirect(url_for("web.expert_training", training_id=training_id), 303)
            trainings.update_training(deps(), expert, training_id, _load(_fields(step, request.form)))
        except (FormError, ValidationError) as invalid:
            errors = _errors(invalid)
        else:
            target = request.form.get("go") or str(step + 1)
            return redirect(url_for("web.edit_training", training_id=training_id, step=int(target)), 303)
    problems = training.missing_for_publication(deps().clock()) if step == 5 else {}
    may_publish = can_move_training(training.status, TrainingStatus.PUBLISHED)  # only a draft is published
    return render_template("web/wizard.html", step=step, steps=STEPS, training=training, values=values,
                           errors=errors, problems=problems, may_publish=may_publish, currencies=CURRENCIES,
                           rows=PROGRAMME_ROWS), (422 if errors else 200)  # fmt: skip


@blp.get("/me/trainings/<training_id>")
def expert_training(training_id: str) -> Any:
    """A training of mine: confirmed attendees, seats held, requests to approve, the waitlist."""
    expert = _expert()
    training = trainings.get_training(deps(), training_id, viewer=expert)
    if training.expert_id != expert.id:
        return redirect(url_for("web.my_trainings"))
    live = deps().bookings.live_on_training(training.id)
    pending = [(b, t) for b, t in approvals.pending_requests(deps(), expert) if b.training_id == training.id]
    people = deps().users.many(sorted({b.trainee_id for b in live}))
    groups = {s: [(b, people.get(b.trainee_id)) for b in live if b.status is s]
              for s in (BookingStatus.CONFIRMED, BookingStatus.HELD, BookingStatus.WAITLISTED)}  # fmt: skip
    proposed = deps().demos.pending_for_trainings([training.id])
    sponsors = deps().users.many(sorted({d.sponsor_id for d in proposed}))
    _, asked, asked_total = questions.questions_of(deps(), expert, training.id, QuestionState.OPEN, 100, 0)
    return render_template("web/expert_training.html", groups=groups, pending=pending,
                           proposed=[(d, sponsors.get(d.sponsor_id)) for d in proposed], questions=asked,
                           questions_total=asked_total, **training_flows(training),
                           **photos_context(expert, training.id))  # fmt: skip


@blp.post("/me/trainings/<training_id>/demos/<demo_id>")
def decide_demo(training_id: str, demo_id: str) -> Any:
    """Accept or decline a sponsor's proposal to show a demo at my training."""
    expert = _expert()
    demos.decide_showing(deps(), expert, training_id, demo_id, request.form.get("decision") == "accept")
    return redirect(url_for("web.expert_training", training_id=training_id, _anchor="demos"), 303)


@blp.post("/me/approvals/<booking_id>")
def decide(booking_id: str) -> Any:
    """Approve or reject a trainee's request (a reason is required to reject)."""
    expert = _expert()
    approve = request.form.get("decision") == "approve"
    reason = (request.form.get("reason") or "").strip() or None
    if not approve and (reason is None or len(reason) < 5):
        raise ValidationError("Say why, in a few words (5 characters or more).", {"reason": ["Required to reject."]})
    booking = approvals.decide(deps(), expert, booking_id, approved=approve, reason=reason)
    return redirect(url_for("web.expert_training", training_id=booking.training_id), 303)


@blp.get("/me/trainings/<training_id>/attendance")
def attendance_page(training_id: str) -> Any:
    """The roll call on the day: one tap per trainee."""
    expert = _expert()
    training, rows = attendance.roll_call(deps(), expert, training_id)
    state = attendance.roll_call_state(training, deps().clock())
    return render_template("web/attendance.html", training=training, rows=rows,
                           is_open=state is attendance.RollCallState.OPEN,
                           not_yet=state is attendance.RollCallState.NOT_YET,
                           opens_at=attendance.opens_at(training))  # fmt: skip


@blp.post("/me/attendance/<booking_id>")
def mark_attendance(booking_id: str) -> Any:
    """Present or absent, for one trainee."""
    expert = _expert()
    booking = attendance.record_attendance(deps(), expert, booking_id, request.form.get("present") == "yes")
    return redirect(url_for("web.attendance_page", training_id=booking.training_id) + f"#b-{booking.id}", 303)


@blp.post("/me/trainings/<training_id>/cancel")
def cancel_training(training_id: str) -> Any:
    """Cancel the training: every trainee is refunded in full and told."""
    expert = _expert()
    reason = (request.form.get("reason") or "").strip()
    if len(reason) < 5:
        raise ValidationError("Tell the trainees why (5 characters or more).", {"reason": ["Required."]})
    trainings.cancel_training(deps(), expert, training_id, reason)
    return redirect(url_for("web.expert_training", training_id=training_id), 303)


def _fields(step: int, form: Any) -> dict[str, Any]:
    """The API's training fields from one step's form."""

    def text(name: str) -> str:
        return str(form.get(name, "")).strip()

    if step == 1:
        return {
            "title": text("title"), "specialty": text("specialty") or None, "technique": text("technique") or None,
            "description": text("description") or None,
            "languages": [x.strip().lower() for x in text("languages").split(",") if x.strip()],
            "prerequisites": [x.strip() for x in text("prerequisites").splitlines() if x.strip()],
            "levels": [level for level in LEVELS if form.get(f"level-{level}")],
        }  # fmt: skip
    if step == 2:
        steps = []
        for i in range(PROGRAMME_ROWS):
            row = {k: text(f"programme-{i}-{k}") for k in ("start", "end", "title", "description")}
            if any(row.values()):
                steps.append({k: v for k, v in row.items() if v or k != "description"})
        return {"programme": steps}
    if step == 3:
        zone, day = text("timezone"), text("day")
        fields: dict[str, Any] = {
            "timezone": zone or None,
            "venue": {k: text(k) or None for k in ("institution", "address", "postal_code", "city")}
            | {"country": text("country").upper() or None},
        }
        tz = zone_of(zone)
        if day and tz:
            for key, name in (("starts_at", "start_time"), ("ends_at", "end_time")):
                try:
                    fields[key] = datetime.fromisoformat(f"{day}T{text(name)}").replace(tzinfo=tz).isoformat()
                except ValueError:
                    fields[key] = "not a date"
        return fields
    if step == 4:
        fields = {"currency": text("currency") or None, "requires_approval": bool(form.get("requires_approval"))}
        for key, convert in (("capacity", int), ("refund_full_days_before", int), ("follow_up_days", int)):
            if text(key):
                fields[key] = convert(text(key)) if text(key).isdigit() else text(key)
        if text("price"):
            try:
                fields["price"] = round(float(text("price").replace(",", ".")) * 100)
            except ValueError:
                fields["price"] = text("price")
        if text("cme_credits"):
            fields["cme_credits"] = text("cme_credits")
        return fields
    return {}


def _load(fields: dict[str, Any], partial: bool = True) -> dict[str, Any]:
    """Checked as the API checks a training; ``None`` means "not given yet" in a draft."""
    cleaned = {k: v for k, v in fields.items() if v is not None}
    if "venue" in cleaned:
        cleaned["venue"] = {k: v for k, v in cleaned["venue"].items() if v is not None}
    loaded: dict[str, Any] = TrainingPatch().load(cleaned, partial=partial)
    return loaded


def _errors(invalid: FormError | ValidationError) -> dict[str, Any]:
    raw = form_errors(invalid)
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, dict) and key in ("venue",):
            flat.update({k: v for k, v in value.items()})
        elif isinstance(value, dict):
            flat[key] = ["; ".join(f"step {int(i) + 1}: {' '.join(m if isinstance(m, list) else [str(m)])}"
                                   for i, m in value.items() if str(i).isdigit()) or str(value)]  # fmt: skip
        else:
            flat[{"starts_at": "start_time", "ends_at": "end_time"}.get(key, key)] = value
    return flat


def _current(training: Training) -> dict[str, Any]:
    """The form's values from the saved draft."""
    zone = zone_of(training.timezone)
    start = training.starts_at.astimezone(zone) if training.starts_at and zone else None
    end = training.ends_at.astimezone(zone) if training.ends_at and zone else None
    values: dict[str, Any] = {
        "title": training.title, "specialty": training.specialty or "", "technique": training.technique or "",
        "description": training.description or "", "languages": ", ".join(training.languages),
        "prerequisites": "\n".join(training.prerequisites), "timezone": training.timezone or "",
        "day": start.date().isoformat() if start else "", "start_time": f"{start:%H:%M}" if start else "",
        "end_time": f"{end:%H:%M}" if end else "", "capacity": training.capacity or "",
        "price": f"{training.price / 100:.2f}" if training.price is not None else "",
        "currency": training.currency or "",
        "cme_credits": training.cme_credits if training.cme_credits is not None else "",
        "requires_approval": training.requires_approval, "refund_full_days_before": training.refund_full_days_before,
        "follow_up_days": training.follow_up_days, **{f"level-{level}": level in training.levels for level in LEVELS},
        **{k: getattr(training.venue, k) or "" for k in ("institution", "address", "postal_code", "city", "country")},
    }  # fmt: skip
    for i, row in enumerate(training.programme):
        for k in ("start", "end", "title", "description"):
            values[f"programme-{i}-{k}"] = row.get(k, "")
    return values
