"""Public pages: the catalogue with its filters and a training's page."""

from __future__ import annotations

import uuid
from typing import Any

from flask import render_template, request
from marshmallow import ValidationError as FormError

from api.context import deps
from api.web.blueprint import blp, form_errors
from api.web.session import web_user
from core.cancellation import RefundTerms
from core.errors import NotFound
from core.model import TrainingStatus
from core.questions import QuestionState
from core.services import catalogue, demos, questions, reviews, trainings
from core.services.seating import listed_seats_left, seats_left
from schemas.catalogue import CURRENCIES
from schemas.web import PAGE_SIZE, SORTS, CatalogueForm

REVIEWS_SHOWN = 20
QUESTIONS_SHOWN = 50


@blp.get("/")
def catalogue_page() -> Any:
    """The catalogue: search with every filter, a page of trainings."""
    errors: dict[str, list[str]] = {}
    try:
        filters = CatalogueForm().load(request.args)
    except FormError as invalid:
        errors = form_errors(invalid)
        filters = {"limit": PAGE_SIZE, "offset": 0}
    items, total = catalogue.search(deps(), filters)
    experts = deps().users.many(sorted({t.expert_id for t in items}))
    rows = [{"training": t, "expert": experts.get(t.expert_id), "seats_left": listed_seats_left(t)} for t in items]
    page = filters["offset"] // PAGE_SIZE + 1
    return render_template(
        "web/catalogue.html", rows=rows, total=total, page=page, pages=max(1, -(-total // PAGE_SIZE)),
        form=request.args, errors=errors, sorts=SORTS, currencies=CURRENCIES,
    ), (400 if errors else 200)  # fmt: skip


@blp.get("/trainings/<training_id>")
def training_page(training_id: str) -> Any:
    """One training: the day's programme, the expert, the venue, seats, price, credits, sponsors' demos."""
    training = trainings.get_training(deps(), training_id)
    if training.status is TrainingStatus.DRAFT:
        raise NotFound(f"No training {training_id}.")
    expert = deps().users.get(training.expert_id)
    shown, _ = demos.search_demos(deps(), None, None, training.id, 20, 0)
    sponsors = deps().users.many(sorted({d.sponsor_id for d in shown}))
    _, said, said_total = reviews.reviews_of(deps(), training.id, REVIEWS_SHOWN, 0)
    viewer = web_user()
    may_review, mine = reviews.review_status(deps(), viewer, training) if viewer and viewer.role == "trainee" else (
        False, None)  # fmt: skip
    _, answered, answered_total = questions.questions_of(deps(), viewer, training.id, QuestionState.ANSWERED,
                                                         QUESTIONS_SHOWN, 0)  # fmt: skip
    # A trainee sees their own waiting questions here; the expert answers theirs on their own page.
    waiting, waiting_total = questions.questions_of(deps(), viewer, training.id, QuestionState.OPEN, QUESTIONS_SHOWN,
                                                    0)[1:] if viewer else ([], 0)  # fmt: skip
    return render_template(
        "web/training.html", training=training, expert=expert, seats_left=seats_left(deps(), training),
        demos=[{"demo": d, "sponsor": sponsors.get(d.sponsor_id)} for d in shown],
        reviews=said, reviews_total=said_total, may_review=may_review, my_review=mine,
        may_edit=bool(mine and mine.editable(deps().clock())),
        answering=viewer is not None and viewer.id == training.expert_id,
        answered=answered, answered_total=answered_total, waiting=waiting, waiting_total=waiting_total,
        request_key=str(uuid.uuid4()),  # one booking per rendered form, however often it is sent
        terms=RefundTerms.of(training),  # what a seat booked now is sold under
    )  # fmt: skip
