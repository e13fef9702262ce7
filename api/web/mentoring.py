"""The mentoring pages: a trainee's learning goals and what fits them, the experts' directory and
each expert's public page."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from marshmallow import ValidationError as FormError

from api.context import deps
from api.web.blueprint import blp, form_errors, translated
from api.web.session import require_web_user
from api.web.wording import LEVEL_WORDS
from core.assessments import PRACTICE_WORDS
from core.errors import Conflict, NotFound, ValidationError
from core.goals import LEVELS, LearningGoals
from core.model import Role
from core.services import alerts, assessments, experts, follow_ups, goals, portfolio
from core.services.accounts import require_role
from core.services.catalogue import upcoming_trainings
from schemas.catalogue import CURRENCIES
from schemas.mentoring import AlertIn, AssessmentIn, ExpertsArgs
from schemas.web import GoalsForm

EXPERTS_PER_PAGE = 12


@blp.route("/me/goals", methods=["GET", "POST"])
def goals_page() -> Any:
    """What I want to learn; saving it shows what fits."""
    trainee = require_web_user()
    require_role(trainee, Role.TRAINEE)
    errors: dict[str, list[str]] = {}
    saved = False
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k != "csrf"}
        try:
            goals.set_goals(deps(), trainee, GoalsForm().load(values))
        except FormError as invalid:
            errors = _flat(invalid.messages_dict)
        else:
            saved = True
            values = _form_values(goals.goals_of(deps(), trainee))
    else:
        values = _form_values(goals.goals_of(deps(), trainee))
    levels = {k: LEVEL_WORDS[k] for k in LEVELS}
    return render_template(
        "web/goals.html", values=values, errors=errors, saved=saved, levels=levels, currencies=CURRENCIES
    ), (422 if errors else 200)


@blp.get("/me/recommendations")
def recommendations_page() -> Any:
    """The trainings and experts that fit my goals, best first, each with why."""
    trainee = require_web_user()
    found = goals.recommendations(deps(), trainee, trainings=12, experts=6)
    by_id = deps().users.many(sorted({m.training.expert_id for m in found.trainings}))
    return render_template("web/recommendations.html", found=found, experts=by_id)


@blp.get("/experts")
def experts_page() -> Any:
    """Verified experts, filtered by what they teach, where and in which language."""
    errors: dict[str, list[str]] = {}
    form = {k: v.strip() for k, v in request.args.items() if v.strip() and k in ExpertsArgs().fields}
    page = request.args.get("page", "1")
    page_number = int(page) if page.isdigit() and 0 < int(page) <= 10_000 else 1
    try:
        filters = ExpertsArgs().load(
            {**form, "limit": EXPERTS_PER_PAGE, "offset": (page_number - 1) * EXPERTS_PER_PAGE}
        )
    except FormError as invalid:
        errors = _flat(invalid.messages_dict)
        filters = {"limit": EXPERTS_PER_PAGE, "offset": 0}
        page_number = 1
    found, total = experts.directory(deps(), filters)
    return render_template(
        "web/experts.html", found=found, total=total, form=form, errors=errors, page=page_number,
        pages=max(1, -(-total // EXPERTS_PER_PAGE)),
    ), (400 if errors else 200)  # fmt: skip


@blp.get("/experts/<expert_id>")
def expert_page(expert_id: str) -> Any:
    """A verified expert's public page: who they are and their upcoming trainings."""
    expert = deps().users.get(expert_id)
    if expert is None or not expert.verified:
        raise NotFound(f"No expert {expert_id}.")
    upcoming = [t for t in upcoming_trainings(deps()) if t.expert_id == expert.id]
    return render_template("web/expert.html", expert=expert, upcoming=upcoming)


def _form_values(stored: LearningGoals) -> dict[str, Any]:
    return {
        "specialties": ", ".join(stored.specialties), "techniques": ", ".join(stored.techniques),
        "level": stored.level or "", "languages": ", ".join(stored.languages),
        "countries": ", ".join(stored.countries),
        "budget": str(stored.budget.amount // 100) if stored.budget else "",
        "currency": stored.budget.currency if stored.budget else "eur",
    }  # fmt: skip


def _flat(messages: dict[str, Any]) -> dict[str, list[str]]:
    """Each field's messages as one list, those of list items and nested fields included, in the page's language."""

    def strings(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [m for v in value.values() for m in strings(v)]
        return [translated(m) for m in value] if isinstance(value, list) else [translated(value)]

    return {field: list(dict.fromkeys(strings(value))) for field, value in messages.items()}


COMPETENCY_ROWS = 6  # empty rows on the form; a row left empty is not sent


@blp.route("/me/assessments/<booking_id>", methods=["GET", "POST"])
def assessment_page(booking_id: str) -> Any:
    """The expert assesses one present trainee's day: what they did, how far, and what next."""
    expert = require_web_user()
    require_role(expert, Role.EXPERT)
    booking, training = assessments.booking_on_my_training(deps(), expert, booking_id)
    trainee = deps().users.get(booking.trainee_id)
    errors: dict[str, list[str]] = {}
    saved = False
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k != "csrf"}
        rows = [(values.get(f"name_{i}", "").strip(), values.get(f"level_{i}", "")) for i in range(COMPETENCY_ROWS)]
        body = {
            "competencies": [{"name": name, "level": level} for name, level in rows if name or level],
            "comment": values.get("comment", "").strip(), "next_step": values.get("next_step", "").strip() or None,
        }  # fmt: skip
        try:
            assessments.assess(deps(), expert, booking_id, AssessmentIn().load(body))
        except FormError as invalid:
            errors = _flat(invalid.messages_dict)
        else:
            saved = True
    current = deps().assessments.get(booking_id)
    if current is not None and not errors:
        values = {"comment": current.comment, "next_step": current.next_step or ""}
        for i, c in enumerate(current.competencies[:COMPETENCY_ROWS]):
            values |= {f"name_{i}": c.name, f"level_{i}": c.level}
    elif request.method == "GET":
        values = {}
    return render_template(
        "web/assessment.html", training=training, trainee=trainee, booking=booking, values=values, errors=errors,
        saved=saved, current=current, rows=range(COMPETENCY_ROWS), practice=PRACTICE_WORDS,
    ), (422 if errors else 200)  # fmt: skip


@blp.get("/me/portfolio")
def portfolio_page() -> Any:
    """My learning record: credits, trainings attended, certificates, assessments; CSV and PDF to take away."""
    trainee = require_web_user()
    record = portfolio.my_portfolio(deps(), trainee)
    return render_template("web/portfolio.html", record=record, practice=PRACTICE_WORDS)


@blp.route("/bookings/<booking_id>/messages", methods=["GET", "POST"])
def messages_page(booking_id: str) -> Any:
    """The private follow-up thread of a booking, for its trainee and the training's expert."""
    viewer = require_web_user()
    errors: dict[str, list[str]] = {}
    typed = ""
    if request.method == "POST":
        typed = request.form.get("text", "")
        try:
            follow_ups.post_message(deps(), viewer, booking_id, typed)
        except (ValidationError, Conflict) as refused:
            errors = form_errors(refused)
        else:
            return redirect(url_for("web.messages_page", booking_id=booking_id) + "#latest", 303)
    thread = follow_ups.thread_of(deps(), viewer, booking_id, limit=500)
    other_id = thread.training.expert_id if viewer.id == thread.booking.trainee_id else thread.booking.trainee_id
    other = deps().users.get(other_id)
    return render_template(
        "web/messages.html", thread=thread, viewer=viewer, other=other, errors=errors, values={"text": typed}
    ), (422 if errors else 200)


@blp.route("/me/alerts", methods=["GET", "POST"])
def alerts_page() -> Any:
    """My saved searches: make one from the catalogue's filters, see them, delete one."""
    user = require_web_user()
    errors: dict[str, list[str]] = {}
    values = {k: v.strip() for k, v in request.form.items() if k != "csrf"}
    if request.method == "POST":
        filters: dict[str, Any] = {k: values[k] for k in ("q", "specialty", "technique", "city", "country", "language")
                                   if values.get(k)}  # fmt: skip
        if values.get("price_max"):
            filters["price_max"] = int(values["price_max"]) * 100 if values["price_max"].isdigit() else -1
            filters["currency"] = values.get("currency") or None
        try:
            body = AlertIn().load({"filters": filters, "delivery": values.get("delivery", "instant"),
                                   "name": values.get("name", "")})  # fmt: skip
            alerts.create_alert(deps(), user, body)
        except FormError as invalid:
            errors = _flat({**invalid.messages_dict.pop("filters", {}), **invalid.messages_dict})
            if "_schema" in errors:
                errors["form"] = errors.pop("_schema")
        except Conflict as refused:
            errors = form_errors(refused)
        else:
            return redirect(url_for("web.alerts_page"), 303)
    return render_template(
        "web/alerts.html", alerts=alerts.my_alerts(deps(), user), values=values, errors=errors, currencies=CURRENCIES
    ), (422 if errors else 200)


@blp.post("/me/alerts/<alert_id>/delete")
def delete_alert_page(alert_id: str) -> Any:
    """Delete one of my saved searches."""
    alerts.delete_alert(deps(), require_web_user(), alert_id)
    return redirect(url_for("web.alerts_page"), 303)


DESK_SHOWN = 50


@blp.post("/messages/<message_id>/report")
def report_message(message_id: str) -> Any:
    """One of the two parties reports a message; back in the thread."""
    user = require_web_user()
    reported = follow_ups.report_message(deps(), user, message_id, request.form.get("reason", ""))
    return redirect(url_for("web.messages_page", booking_id=reported.booking_id), 303)


@blp.get("/admin/messages")
def messages_desk() -> Any:
    """Reported follow-up messages not hidden yet, each with its reports and a hide button (admin)."""
    admin = require_web_user()
    items, total = follow_ups.messages_under_review(deps(), admin, DESK_SHOWN, 0)
    titles = {tid: t.title for tid in {m.training_id for m in items} if (t := deps().trainings.get(tid))}
    return render_template("web/admin_messages.html", items=items, total=total, titles=titles)


@blp.post("/admin/messages/<message_id>/hide")
def hide_message(message_id: str) -> Any:
    """Hide a reported message with the reason its two parties read (admin)."""
    follow_ups.hide_message(deps(), require_web_user(), message_id, request.form.get("reason", ""))
    return redirect(url_for("web.messages_desk"), 303)
