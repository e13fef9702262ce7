"""The web pages, server-rendered over the same services as the JSON API.

Readable without JavaScript: forms are plain GET/POST, errors are shown beside their field.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, render_template, request
from marshmallow import ValidationError as FormError

from api.context import deps
from core.errors import DomainError, NotFound
from core.model import TrainingStatus, zone_of
from core.services import catalogue, demos, trainings
from core.services.seating import seats_left
from schemas.web import PAGE_SIZE, SORTS, CatalogueForm

# Templates and the stylesheet live in the app's own api/templates and api/static.
blp = Blueprint("web", __name__)


@blp.app_template_filter("merge_page")
def merge_page(args: Any, page: int) -> str:
    """The current query string with another page number."""
    return urlencode([(k, v) for k, v in args.items(multi=True) if k != "page"] + [("page", str(page))])


@blp.app_template_filter("money")
def money(amount: int | None, currency: str | None) -> str:
    """Minor units as people read them: ``450.00 EUR``."""
    if amount is None or not currency:
        return ""
    return f"{amount / 100:,.2f} {currency.upper()}".replace(",", "\u202f")


@blp.app_template_filter("local")
def local(when: Any, zone: str | None, fmt: str = "%A %d %B %Y") -> str:
    """A UTC instant in the venue's time zone."""
    if when is None:
        return ""
    tz = zone_of(zone)
    return (when.astimezone(tz) if tz else when).strftime(fmt)


@blp.get("/")
def catalogue_page() -> Any:
    """The catalogue: search with every filter, a page of trainings."""
    errors: dict[str, list[str]] = {}
    try:
        filters = CatalogueForm().load(request.args)
    except FormError as invalid:
        errors = {k: v if isinstance(v, list) else [str(v)] for k, v in invalid.messages_dict.items()}
        filters = {"limit": PAGE_SIZE, "offset": 0}
    items, total = catalogue.search(deps(), filters)
    experts = deps().users.many(sorted({t.expert_id for t in items}))
    rows = [{"training": t, "expert": experts.get(t.expert_id), "seats_left": seats_left(deps(), t)} for t in items]
    page = filters["offset"] // PAGE_SIZE + 1
    return render_template(
        "web/catalogue.html", rows=rows, total=total, page=page, pages=max(1, -(-total // PAGE_SIZE)),
        form=request.args, errors=errors, sorts=SORTS,
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
    return render_template(
        "web/training.html", training=training, expert=expert, seats_left=seats_left(deps(), training),
        demos=[{"demo": d, "sponsor": sponsors.get(d.sponsor_id)} for d in shown],
    )  # fmt: skip


@blp.errorhandler(DomainError)
def domain_error(error: DomainError) -> Any:
    """A page, not JSON, for the people using the site."""
    status = 404 if isinstance(error, NotFound) else 400
    return render_template("web/error.html", message=error.message, status=status), status
