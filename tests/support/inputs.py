"""What tests build: dates on the venue's clock, a complete training, event payloads."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.cancellation import RefundTerms
from core.model import Booking, BookingStatus
from core.services.bookings import requested_payload


def day_ahead(days: int, start: str = "08:00", end: str = "17:00", zone: str = "Europe/Paris") -> tuple[str, str]:
    """ISO instants of ``start`` and ``end`` (local HH:MM) on the venue's day ``days`` after today there.

    The local day comes first and its instants after, so the hours hold in summer and in winter time.
    """
    tz = ZoneInfo(zone)
    day = datetime.now(tz).date() + timedelta(days=days)
    starts, ends = (datetime.combine(day, datetime.strptime(hhmm, "%H:%M").time(), tzinfo=tz) for hhmm in (start, end))
    return starts.isoformat(), ends.isoformat()


def local_day(instant: str, zone: str = "Europe/Paris") -> date:
    """The venue's calendar day of an ISO instant."""
    return datetime.fromisoformat(instant).astimezone(ZoneInfo(zone)).date()


# Months ahead: a cancellation gets the full refund (30 days or more before), on a real clock.
TRAINING_DAYS_AHEAD = 120
TRAINING_STARTS, TRAINING_ENDS = day_ahead(TRAINING_DAYS_AHEAD)

TRAINING: dict[str, Any] = {
    "title": "Transcatheter aortic valve implantation",
    "specialty": "cardiology",
    "technique": "TAVI",
    "description": "A day in the cath lab.",
    "programme": [
        {"start": "08:00", "end": "09:00", "title": "Case review"},
        {"start": "09:00", "end": "16:30", "title": "Live cases in the cath lab"},
        {"start": "16:30", "end": "17:00", "title": "Debrief"},
    ],
    "languages": ["fr", "en"],
    "venue": {
        "institution": "Hôpital Européen Georges-Pompidou",
        "address": "20 rue Leblanc",
        "city": "Paris",
        "postal_code": "75015",
        "country": "FR",
    },
    "starts_at": TRAINING_STARTS,
    "ends_at": TRAINING_ENDS,
    "timezone": "Europe/Paris",
    "capacity": 4,
    "price": 45000,
    "currency": "eur",
    "cme_credits": 7,
}


def request_data(
    booking_id: str, training_id: str, trainee_id: str, amount: int, service_fee: int = 0
) -> dict[str, Any]:
    """The payload of ``booking.requested`` as the API builds it, for events a test publishes itself."""
    return requested_payload(
        Booking(id=booking_id, training_id=training_id, trainee_id=trainee_id, amount=amount, service_fee=service_fee,
                currency="eur", status=BookingStatus.REQUESTED, requested_at=datetime.now(UTC),
                refund_terms=RefundTerms())
    )  # fmt: skip
