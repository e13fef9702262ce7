"""The web blueprint, its template filters and its error page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, render_template, request
from flask_babel import gettext
from marshmallow import ValidationError as FormError

from api.errors import STATUS_OF
from core.errors import DomainError

# Templates and the stylesheet live in the app's own api/templates and api/static.
blp = Blueprint("web", __name__)


@blp.app_template_filter("merge_page")
def merge_page(args: Any, page: int) -> str:
    """The current query string with another page number."""
    return urlencode([(k, v) for k, v in args.items(multi=True) if k != "page"] + [("page", str(page))])


def form_errors(invalid: FormError | DomainError) -> dict[str, Any]:
    """What a form shows beside its fields: the schema's messages, or a domain error's fields
    (its message alone when it names none)."""
    if isinstance(invalid, FormError):
        found = {k: v if isinstance(v, list) else [str(v)] for k, v in invalid.messages_dict.items()}
    else:
        found = invalid.errors or {"form": [invalid.message]}
    return {field: [translated(m) for m in messages] for field, messages in found.items()}


def translated(message: object) -> str:
    """A message of the core or a schema in this page's language: those marked with ``N_`` are in the
    catalogue; one made up with its facts (an f-string) stays as it was written."""
    return gettext(str(message))


def stripe_js_method() -> str | None:
    """The PaymentMethod id a page's Stripe.js posted (``card_`` from localstripe's fake), if well formed."""
    method = str((request.get_json(silent=True) or {}).get("payment_method", ""))
    return method if method.startswith(("pm_", "card_")) and len(method) <= 100 else None


@blp.errorhandler(DomainError)
def domain_error(error: DomainError) -> Any:
    """A page, not JSON, for the people using the site; the same status as the API's."""
    status = next((s for cls, s in STATUS_OF.items() if isinstance(error, cls)), 400)
    titles = {404: gettext("Not found"), 403: gettext("Not allowed"), 409: gettext("Not possible now"),
              503: gettext("Try again in a moment")}  # fmt: skip
    details = [translated(m) for messages in error.errors.values() for m in messages]
    return render_template("web/error.html", message=translated(error.message), details=details, status=status,
                           title=titles.get(status, gettext("Something is wrong"))), status  # fmt: skip
