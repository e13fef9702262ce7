"""A person's saved searches: made, listed and deleted over HTTP; matched by core/handlers/alerts.py."""

from __future__ import annotations

import uuid
from typing import Any

from core.alerts import FILTERS, MAX_ALERTS_PER_USER, Alert, key_of
from core.errors import Conflict, NotFound
from core.model import User
from core.services.deps import Deps
from core.words import N_, Worded


def create_alert(deps: Deps, user: User, values: dict[str, Any]) -> Alert:
    """Save a search (the catalogue's filters) with its delivery, ``instant`` or ``daily``."""
    if len(deps.alerts.of_user(user.id)) >= MAX_ALERTS_PER_USER:
        raise Conflict(Worded(N_("At most %(most)s alerts: delete one you no longer need."), most=MAX_ALERTS_PER_USER))
    given = {k: v.strip() if isinstance(v, str) else v for k, v in values["filters"].items()}
    filters = {k: given[k] for k in FILTERS if given.get(k) not in (None, "", False)}
    alert = Alert(
        id=f"alert_{uuid.uuid4().hex[:16]}", user_id=user.id, filters=filters, delivery=values["delivery"],
        created_at=deps.clock(), name=(values.get("name") or "").strip(), key=key_of(filters),
    )  # fmt: skip
    deps.alerts.add(alert)
    return alert


def my_alerts(deps: Deps, user: User) -> list[Alert]:
    """My saved searches, oldest first."""
    return deps.alerts.of_user(user.id)


def delete_alert(deps: Deps, user: User, alert_id: str) -> None:
    """Delete one of my alerts (404 for anyone else's)."""
    if not deps.alerts.delete(alert_id, user.id):
        raise NotFound(Worded(N_("No alert %(id)s."), id=alert_id))
