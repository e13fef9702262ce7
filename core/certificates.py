"""Certificates of attendance: what a present trainee takes home, signed by a verification code.

The code is an HMAC of everything the certificate states, under the marketplace's secret key:
nobody without the key can make a code that verifies, and a stored certificate whose content
was altered no longer matches its code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime

from core.model import Booking, Training, User, zone_of

CODE_LENGTH = 20  # base32 characters: 100 bits of the HMAC, shown in groups of four
_GROUP = 4
_CODE = re.compile(rf"[A-Z2-7]{{{CODE_LENGTH}}}")


@dataclass(frozen=True)
class Certificate:
    """One trainee's attendance at one training, as it was on the day; ``code`` signs the rest."""

    id: str
    booking_id: str
    training_id: str
    trainee_id: str
    expert_id: str
    trainee_name: str
    expert_name: str
    expert_title: str | None
    institution: str | None
    city: str | None
    country: str | None
    training_title: str
    specialty: str | None
    technique: str | None
    day: str  # ISO date at the venue
    starts_local: str  # "08:00" at the venue
    ends_local: str
    timezone: str | None
    hours: float
    cme_credits: float | None
    issued_at: datetime
    code: str = ""


def certificate_id(booking_id: str) -> str:
    """One certificate per booking: its id follows from the booking's."""
    return f"cert_{booking_id}"


def draft_certificate(booking: Booking, training: Training, trainee: User, expert: User, now: datetime) -> Certificate:
    """The certificate of a present trainee, not yet signed."""
    assert training.starts_at is not None and training.ends_at is not None  # published trainings have times
    zone = zone_of(training.timezone)
    start = training.starts_at.astimezone(zone) if zone else training.starts_at
    end = training.ends_at.astimezone(zone) if zone else training.ends_at
    return Certificate(
        id=certificate_id(booking.id),
        booking_id=booking.id,
        training_id=training.id,
        trainee_id=trainee.id,
        expert_id=expert.id,
        trainee_name=trainee.name,
        expert_name=expert.name,
        expert_title=expert.title,
        institution=training.venue.institution,
        city=training.venue.city,
        country=training.venue.country,
        training_title=training.title,
        specialty=training.specialty,
        technique=training.technique,
        day=start.date().isoformat(),
        starts_local=start.strftime("%H:%M"),
        ends_local=end.strftime("%H:%M"),
        timezone=training.timezone,
        hours=round((training.ends_at - training.starts_at).total_seconds() / 3600, 2),
        cme_credits=training.cme_credits,
        # Whole seconds: the stored and the signed time must be the same one (MongoDB keeps milliseconds).
        issued_at=now.astimezone(UTC).replace(microsecond=0),
    )


def signed_content(certificate: Certificate) -> bytes:
    """The bytes the code signs: every field but the code, in a canonical form."""
    body = asdict(certificate)
    body.pop("code")
    body["issued_at"] = certificate.issued_at.astimezone(UTC).isoformat()
    # Numbers by value, not by type: 6 and 6.0 are the same credits, whichever way a store keeps them.
    for name in ("hours", "cme_credits"):
        if body[name] is not None:
            body[name] = f"{float(body[name]):g}"
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(certificate: Certificate, key: bytes) -> Certificate:
    """The certificate with its verification code."""
    digest = hmac.new(key, signed_content(certificate), hashlib.sha256).digest()
    raw = base64.b32encode(digest).decode()[:CODE_LENGTH]
    code = "-".join(raw[i : i + _GROUP] for i in range(0, CODE_LENGTH, _GROUP))
    return Certificate(**{**{f.name: getattr(certificate, f.name) for f in fields(certificate)}, "code": code})


def is_authentic(certificate: Certificate, key: bytes) -> bool:
    """Whether the certificate's code is the one its content and our key give."""
    expected = sign(certificate, key).code
    return hmac.compare_digest(expected, certificate.code)


def normalize_code(text: str) -> str | None:
    """A code as typed (any case, with spaces or dashes) in its canonical form, or None if it cannot be one."""
    # Base32 has no 0 or 1: whoever typed them read an O or an I.
    raw = re.sub(r"[\s-]", "", text[: 4 * CODE_LENGTH]).upper().replace("0", "O").replace("1", "I")
    if not _CODE.fullmatch(raw):
        return None
    return "-".join(raw[i : i + _GROUP] for i in range(0, CODE_LENGTH, _GROUP))
