"""The facts notices show of a training: its details in the venue's time, its calendar file, money."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.calendar import invitation
from core.fees import money_text
from core.links import Links
from core.model import Training, zone_of
from core.ports import CalendarFile
from core.services.deps import Deps
from core.venue_time import zone_label


def training_context(deps: Deps, training: Training) -> dict[str, Any]:
    """What the e-mail templates show of a training, in the venue's local time, its zone named."""
    zone = zone_of(training.timezone)
    start = training.starts_at.astimezone(zone) if training.starts_at and zone else training.starts_at
    end = training.ends_at.astimezone(zone) if training.ends_at and zone else training.ends_at
    expert = deps.users.get(training.expert_id)
    venue = training.venue
    return {
        "title": training.title,
        "day_label": f"{start:%A} {start.day} {start:%B %Y}" if start else "to be announced",
        "starts": f"{start:%H:%M}" if start else "",
        "ends": f"{end:%H:%M}" if end else "",
        "timezone": zone_label(training.starts_at, training.timezone),
        "institution": venue.institution,
        "address": venue.address,
        "postal_code": venue.postal_code,
        "city": venue.city,
        "country": venue.country,
        "programme": list(training.programme),
        "cme_credits": training.cme_credits,
        "expert_name": expert.name if expert else "",
        "url": Links(deps.policy.public_base_url).training(training.id),
    }


def calendar_file(
    deps: Deps, training: Training, booking_id: str, trainee_id: str, cancelled: bool
) -> CalendarFile | None:
    """The booking's invitation, or its cancellation: one UID per booking, so calendars update one event.

    An invitation's SEQUENCE is the training's version (every change of the training bumps it);
    a cancellation's is one higher than any invitation sent for that version.
    """
    trainee = deps.users.get(trainee_id)
    if training.starts_at is None or training.ends_at is None or trainee is None:
        return None
    method = "CANCEL" if cancelled else "REQUEST"
    content = invitation(
        training, uid=f"{booking_id}@{deps.policy.calendar_domain}", attendee_email=trainee.email,
        attendee_name=trainee.name, organizer_email=deps.policy.organizer_email,
        organizer_name=deps.policy.marketplace_name, url=Links(deps.policy.public_base_url).training(training.id),
        now=deps.clock(), sequence=training.version + 1 if cancelled else training.version, method=method,
    )  # fmt: skip
    return CalendarFile(method, content)


def venue_when(iso: object, training: Training | None) -> str:
    """An instant from an event, in the venue's time with its zone named (UTC without a venue)."""
    if not isinstance(iso, str):
        return ""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    tz = training.timezone if training else None
    zone = zone_of(tz)
    local = moment.astimezone(zone) if zone else moment
    return f"{local:%d %B %Y %H:%M} {zone_label(moment, tz)}"


def money(amount: object, currency: object) -> str:
    """An amount from an event as people read it, or "the price" when the event carries none."""
    if not isinstance(amount, int) or not isinstance(currency, str):
        return "the price"
    return money_text(amount, currency)
