"""Reviews of trainings: read by anyone, written by trainees who attended, answered by the expert."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import current_user, deps
from api.docs import secured
from core.reviews import Review
from core.services import reviews
from schemas.http import ErrorSchema
from schemas.records import AnswerIn, ReviewArgs, ReviewIn, ReviewOut, ReviewPage, ReviewPatch

PREFIX = ""
blp = Blueprint("reviews", __name__, description="Reviews of trainings, and the experts' answers")


def out(review: Review) -> dict[str, Any]:
    """A review as anyone sees it: the author by first name and initial."""
    return {**asdict(review), "editable_until": review.editable_until}


@blp.route("/trainings/<training_id>/reviews")
class TrainingReviews(MethodView):
    @blp.arguments(ReviewArgs, location="query")
    @blp.response(200, ReviewPage)
    @blp.alt_response(404, schema=ErrorSchema, description="No such training")
    def get(self, args: dict[str, Any], training_id: str) -> Any:
        """A training's reviews, newest first, with its average rating."""
        training, items, total = reviews.reviews_of(deps(), training_id, args["limit"], args["offset"])
        return {"items": [out(r) for r in items], "total": total, "limit": args["limit"], "offset": args["offset"],
                "rating_average": training.rating_average, "rating_count": training.rating_count}  # fmt: skip

    @blp.arguments(ReviewIn)
    @blp.response(201, ReviewOut)
    @blp.alt_response(409, schema=ErrorSchema, description="Reviewed already, or the training is not completed")
    @secured(blp)
    def post(self, body: dict[str, Any], training_id: str) -> Any:
        """Review a completed training I attended (trainees marked present), once: a rating 1-5 and words."""
        return out(reviews.post_review(deps(), current_user(), training_id, body["rating"], body["text"]))


@blp.route("/reviews/<review_id>")
class ReviewItem(MethodView):
    @blp.arguments(ReviewPatch)
    @blp.response(200, ReviewOut)
    @blp.alt_response(404, schema=ErrorSchema, description="No such review of mine")
    @blp.alt_response(409, schema=ErrorSchema, description="Posted more than 14 days ago")
    @secured(blp)
    def patch(self, body: dict[str, Any], review_id: str) -> Any:
        """Change my review's rating or text, within 14 days of posting it."""
        return out(reviews.edit_review(deps(), current_user(), review_id, body))


@blp.route("/reviews/<review_id>/answer")
class ReviewAnswer(MethodView):
    @blp.arguments(AnswerIn)
    @blp.response(200, ReviewOut)
    @blp.alt_response(404, schema=ErrorSchema, description="No such review of my trainings")
    @blp.alt_response(409, schema=ErrorSchema, description="Answered already")
    @secured(blp)
    def post(self, body: dict[str, Any], review_id: str) -> Any:
        """Answer a review of one of my trainings, once, publicly (expert)."""
        return out(reviews.answer_review(deps(), current_user(), review_id, body["text"]))
