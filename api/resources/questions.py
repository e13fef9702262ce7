"""Questions to a training's expert before booking: asked by trainees, answered by the expert,
reported by anyone who reads them, hidden by admins (``desk``: the admins' list of reported ones)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import current_user, deps, optional_user
from api.docs import secured
from core.questions import QuestionState
from core.services import questions
from schemas.catalogue import PageArgs
from schemas.http import ErrorSchema
from schemas.questions import (
    ModeratedQuestionOut,
    ModeratedQuestionPage,
    QuestionAnswerIn,
    QuestionArgs,
    QuestionIn,
    QuestionOut,
    QuestionPage,
    QuestionReasonIn,
)

PREFIX = ""
blp = Blueprint("questions", __name__, description="Questions to a training's expert before booking")
desk = Blueprint("question_desk", __name__, description="Moderation of reported questions (admin role)")


@blp.route("/trainings/<training_id>/questions")
class TrainingQuestions(MethodView):
    writes_catalogue = False  # questions live beside the training, not in it

    @blp.arguments(QuestionArgs, location="query")
    @blp.response(200, QuestionPage)
    @blp.alt_response(401, schema=ErrorSchema, description="state=open or hidden without signing in")
    @blp.alt_response(403, schema=ErrorSchema, description="state=hidden for anyone but admins")
    @blp.alt_response(404, schema=ErrorSchema, description="No such training")
    def get(self, args: dict[str, Any], training_id: str) -> Any:
        """A training's questions: answered ones for anyone (newest answer first); with a bearer token
        and ``state=open``, those waiting for the expert that the caller may see."""
        state = QuestionState(args["state"])
        _, items, total = questions.questions_of(deps(), optional_user(), training_id, state, args["limit"],
                                                 args["offset"])  # fmt: skip
        return {"items": items, "total": total, "limit": args["limit"], "offset": args["offset"], "state": state}

    @blp.arguments(QuestionIn)
    @blp.response(201, QuestionOut)
    @blp.alt_response(404, schema=ErrorSchema, description="No such training")
    @blp.alt_response(409, schema=ErrorSchema, description="The training does not take bookings")
    @blp.alt_response(429, schema=ErrorSchema, description="Too many questions from this trainee")
    @secured(blp)
    def post(self, body: dict[str, Any], training_id: str) -> Any:
        """Ask the training's expert a question before booking (trainee); they are told, and once they
        answer, both are public."""
        return questions.ask(deps(), current_user(), training_id, body["text"])


@blp.route("/questions/<question_id>/answer")
class AnswerQuestion(MethodView):
    writes_catalogue = False

    @blp.arguments(QuestionAnswerIn)
    @blp.response(200, QuestionOut)
    @blp.alt_response(404, schema=ErrorSchema, description="No such question on my trainings")
    @blp.alt_response(409, schema=ErrorSchema, description="Answered already (an answer is not edited)")
    @secured(blp)
    def post(self, body: dict[str, Any], question_id: str) -> Any:
        """Answer a question on one of my trainings, once (expert): it is public from then on."""
        return questions.answer(deps(), current_user(), question_id, body["text"])


@blp.route("/questions/<question_id>/report")
class ReportQuestion(MethodView):
    writes_catalogue = False

    @blp.arguments(QuestionReasonIn)
    @blp.response(201, QuestionOut)
    @blp.alt_response(404, schema=ErrorSchema, description="No such question that I can read")
    @blp.alt_response(409, schema=ErrorSchema, description="Reported by me already, or hidden")
    @secured(blp)
    def post(self, body: dict[str, Any], question_id: str) -> Any:
        """Report a question, or its answer, as inappropriate (anyone signed in, once): the admins are told."""
        return questions.report(deps(), current_user(), question_id, body["reason"])


@blp.route("/questions/<question_id>/hide")
class HideQuestion(MethodView):
    writes_catalogue = False

    @blp.arguments(QuestionReasonIn)
    @blp.response(200, ModeratedQuestionOut)
    @blp.alt_response(404, schema=ErrorSchema, description="No such question")
    @blp.alt_response(409, schema=ErrorSchema, description="Hidden already")
    @secured(blp)
    def post(self, body: dict[str, Any], question_id: str) -> Any:
        """Hide a question from everyone but admins, with the reason its author reads (admin)."""
        return questions.hide(deps(), current_user(), question_id, body["reason"])


@desk.route("/questions/reported")
class ReportedQuestions(MethodView):
    @desk.arguments(PageArgs, location="query")
    @desk.response(200, ModeratedQuestionPage)
    @secured(desk)
    def get(self, args: dict[str, Any]) -> Any:
        """Reported questions not hidden yet, the latest report first, with every report (admin)."""
        items, total = questions.under_review(deps(), current_user(), args["limit"], args["offset"])
        return {"items": items, "total": total, "limit": args["limit"], "offset": args["offset"]}
