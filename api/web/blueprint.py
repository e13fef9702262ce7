"""The web blueprint, its template filters and its error page."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from flask import Blueprint, render_template, request
from flask_babel import gettext
from marshmallow import ValidationError as FormError

from adapters.l10n import formats_of
from api.errors import STATUS_OF
from api.i18n import local, page_locale
from core.errors import DomainError
from core.words import Worded

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
    catalogue, a ``Worded`` one is worded again from its template and facts; any other stays as written."""
    if isinstance(message, Worded):
        return gettext(message.template, **{name: _fact(fact) for name, fact in message.facts.items()})
    return gettext(str(message))


def _fact(fact: object) -> object:
    """A fact of a ``Worded`` message as this page's reader reads it: a day in their words, a state as its word."""
    if isinstance(fact, datetime):
        return local(fact, None, "date")
    if isinstance(fact, date):
        return format_date(fact, "long", locale=formats_of(page_locale()))
    if isinstance(fact, StrEnum):
        return gettext(str(fact))
    return fact


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
