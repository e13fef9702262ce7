"""Pages of questions to the expert before booking: asking on the training's page, answering on the
expert's page of the training, reporting, and the admins' desk of reported questions."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError as FormError

from api.context import deps
from api.web.blueprint import blp, form_errors
from api.web.session import require_web_user
from core.errors import RateLimited, ValidationError
from core.services import questions, trainings
from schemas.questions import QuestionAnswerIn, QuestionIn, QuestionReasonIn

DESK_SHOWN = 100


@blp.post("/trainings/<training_id>/questions")
def ask_question(training_id: str) -> Any:
    """Ask the expert from the training's page; a refusal shows the form again with its reason."""
    trainee = require_web_user()
    text = request.form.get("text", "")
    try:
        questions.ask(deps(), trainee, training_id, QuestionIn().load({"text": text})["text"])
    except (FormError, ValidationError, RateLimited) as refused:
        training = trainings.get_training(deps(), training_id, viewer=trainee)
        status = 429 if isinstance(refused, RateLimited) else 422
        return render_template("web/question.html", training=training, values={"text": text},
                               errors=form_errors(refused)), status  # fmt: skip
    return redirect(url_for("web.training_page", training_id=training_id, _anchor="questions"), 303)


@blp.post("/questions/<question_id>/answer")
def answer_question(question_id: str) -> Any:
    """The training's expert answers, once, from their page of the training."""
    expert = require_web_user()
    answered = questions.answer(
        deps(), expert, question_id, _field(QuestionAnswerIn, "text", gettext("Write an answer."))
    )
    return redirect(url_for("web.expert_training", training_id=answered.training_id, _anchor="questions"), 303)


@blp.post("/questions/<question_id>/report")
def report_question(question_id: str) -> Any:
    """Report a question or its answer; back on the training's page with a word of thanks."""
    user = require_web_user()
    reason = _field(QuestionReasonIn, "reason", gettext("Say why, in a few words (5 characters or more)."))
    reported = questions.report(deps(), user, question_id, reason)
    return redirect(url_for("web.training_page", training_id=reported.training_id, reported=1, _anchor="questions"),
                    303)  # fmt: skip


@blp.get("/admin/questions")
def questions_desk() -> Any:
    """Reported questions not hidden yet, the latest report first, each with a hide button (admin)."""
    admin = require_web_user()
    items, total = questions.under_review(deps(), admin, DESK_SHOWN, 0)
    titles = {tid: t.title for tid in {q.training_id for q in items} if (t := deps().trainings.get(tid))}
    return render_template("web/admin_questions.html", items=items, total=total, titles=titles)


@blp.post("/admin/questions/<question_id>/hide")
def hide_question(question_id: str) -> Any:
    """Hide a reported question with the reason its author reads (admin)."""
    admin = require_web_user()
    reason = _field(QuestionReasonIn, "reason", "Say why, in a few words (5 characters or more).")
    questions.hide(deps(), admin, question_id, reason)
    return redirect(url_for("web.questions_desk"), 303)


def _field(schema: type[Any], name: str, message: str) -> str:
    """One text field of the form, trimmed and checked; else the error page naming it."""
    try:
        return str(schema().load({name: request.form.get(name, "")})[name])
    except FormError as invalid:
        raise ValidationError(message, form_errors(invalid)) from invalid
