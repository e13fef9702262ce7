"""Pages of what a held training leaves behind: my certificates, the public check of a code, reviews."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError as FormError

from api.context import attachment, deps
from api.web.blueprint import blp, form_errors
from api.web.session import require_web_user
from core.errors import DomainError, ValidationError
from core.model import Role
from core.services import certificates, reviews, trainings
from core.services.accounts import require_role
from schemas.records import AnswerIn, ReviewIn


@blp.app_template_filter("iso_day")
def iso_day(day: str | None) -> datetime | None:
    """A certificate's day (an ISO date at the venue, as signed) as an instant the ``local`` filter words:
    ``{{ c.day | iso_day | local(None, "date") }}`` reads 7 December 2026, 7 décembre 2026."""
    return datetime.fromisoformat(day).replace(tzinfo=UTC) if day else None


@blp.get("/me/certificates")
def my_certificates() -> Any:
    """My certificates of attendance, each with its code and a download."""
    trainee = require_web_user()
    items = certificates.my_certificates(deps(), trainee)
    return render_template("web/my_certificates.html", items=items, verify_url=certificates.verify_url)


@blp.get("/me/certificates/<certificate_id>.pdf")
def certificate_download(certificate_id: str) -> Any:
    """Download one of my certificates as PDF."""
    name, pdf = certificates.certificate_pdf(deps(), require_web_user(), certificate_id)
    return attachment(pdf, "application/pdf", name)


@blp.get("/verify")
@blp.get("/verify/<code>")
def verify_page(code: str | None = None) -> Any:
    """Anyone checks a certificate's code: typed in the form, or from the link printed on it."""
    code = code or request.args.get("code", "").strip()[:100]
    result = certificates.verify(deps(), code) if code else None
    return render_template("web/verify.html", code=code, result=result)


@blp.route("/trainings/<training_id>/review", methods=["GET", "POST"])
def review_form(training_id: str) -> Any:
    """Write my review of a training I attended, or change it within 14 days."""
    trainee = require_web_user()
    require_role(trainee, Role.TRAINEE)
    training = trainings.get_training(deps(), training_id, viewer=trainee)
    may_review, mine = reviews.review_status(deps(), trainee, training)
    values: dict[str, Any] = {"rating": str(mine.rating), "text": mine.text} if mine else {}
    errors: dict[str, Any] = {}
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in ("rating", "text")}
        try:
            typed = {k: int(v) if k == "rating" and v.isdigit() else v for k, v in values.items() if v}
            body = ReviewIn().load(typed)
            if mine:
                reviews.edit_review(deps(), trainee, mine.id, body)
            else:
                reviews.post_review(deps(), trainee, training.id, body["rating"], body["text"])
        except (FormError, DomainError) as invalid:
            errors = form_errors(invalid)
        else:
            return redirect(url_for("web.training_page", training_id=training.id, _anchor="reviews"), 303)
    return render_template(
        "web/review.html", training=training, mine=mine, may_review=may_review, values=values, errors=errors,
        now=deps().clock(),
    ), (422 if errors else 200)  # fmt: skip


@blp.post("/reviews/<review_id>/answer")
def review_answer(review_id: str) -> Any:
    """The training's expert answers a review, once, on the training's page."""
    expert = require_web_user()
    text = request.form.get("text", "").strip()
    try:
        body = AnswerIn().load({"text": text})
        answered = reviews.answer_review(deps(), expert, review_id, body["text"])
    except FormError as invalid:
        raise ValidationError(gettext("Write an answer of at least two characters."), form_errors(invalid)) from invalid
    return redirect(url_for("web.training_page", training_id=answered.training_id, _anchor="reviews"), 303)
