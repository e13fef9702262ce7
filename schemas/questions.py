"""HTTP bodies of questions to a training's expert, their answers, reports and moderation."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from core.questions import ANSWER_LENGTH, QUESTION_LENGTH, REASON_LENGTH, QuestionState
from core.words import N_
from schemas.catalogue import PageArgs


class Trimmed(fields.String):
    """Plain text as typed, spaces at either end left out before its length is checked."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return str(super()._deserialize(value, attr, data, **kwargs)).strip()


def _length(bounds: tuple[int, int], message: str) -> validate.Length:
    """The bounds, with their message written out (so a page finds it in the catalogue): it must say them."""
    if message != f"Must be between {bounds[0]} and {bounds[1]} characters.":
        raise ValueError(f"{message!r} does not state the bounds {bounds}")
    return validate.Length(min=bounds[0], max=bounds[1], error=message)


class QuestionIn(Schema):
    text = Trimmed(required=True, validate=_length(QUESTION_LENGTH, N_("Must be between 10 and 2000 characters.")),
                   metadata={"description": "Plain text, shown as typed (never as HTML)."})  # fmt: skip


class QuestionAnswerIn(Schema):
    text = Trimmed(
        required=True,
        validate=_length(ANSWER_LENGTH, N_("Must be between 1 and 4000 characters.")),
        metadata={"description": "Plain text."},
    )


class QuestionReasonIn(Schema):
    reason = Trimmed(required=True, validate=_length(REASON_LENGTH, N_("Must be between 5 and 1000 characters.")))


class QuestionArgs(PageArgs):
    state = fields.String(
        load_default=QuestionState.ANSWERED.value, validate=validate.OneOf([s.value for s in QuestionState]),
        metadata={"description": "answered (public, newest answer first); open: waiting for the expert, the "
                                 "caller's own or, for the training's expert and admins, all of them (oldest "
                                 "first); hidden: admins only."},
    )  # fmt: skip


class QuestionOut(Schema):
    id = fields.String()
    training_id = fields.String()
    author_name = fields.String(metadata={"description": "First name and initial of the trainee who asked."})
    text = fields.String()
    created_at = fields.DateTime()
    state = fields.String(metadata={"description": "open, answered or hidden"})
    answer = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)


class QuestionPage(Schema):
    items = fields.List(fields.Nested(QuestionOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()
    state = fields.String()


class QuestionReportOut(Schema):
    by = fields.String(metadata={"description": "The account that reported it."})
    reason = fields.String()
    at = fields.DateTime()


class ModeratedQuestionOut(QuestionOut):
    """What the moderation desk shows: who asked, whose training, every report, and any hiding."""

    trainee_id = fields.String()
    expert_id = fields.String()
    reports = fields.List(fields.Nested(QuestionReportOut))
    reported_at = fields.DateTime(allow_none=True)
    hidden_at = fields.DateTime(allow_none=True)
    hidden_by = fields.String(allow_none=True)
    hidden_reason = fields.String(allow_none=True)


class ModeratedQuestionPage(Schema):
    items = fields.List(fields.Nested(ModeratedQuestionOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()
