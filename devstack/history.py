"""Demo history: a session of Dr Martin's TAVI programme held three weeks ago, so that a first
visit shows a certificate and a review.

The public API cannot book the past, so the session and its one confirmed, present booking
are written as the booking saga would have left them. Everything after is real: completing
the training publishes ``training.completed``, the certificates worker issues the
certificate, and the review and its answer go through the API.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime, timedelta

import requests

from adapters.bootstrap import bootstrap
from adapters.config import Config
from core.model import Booking, BookingStatus, TrainingStatus, zone_of
from core.services import trainings
from devstack import demo

PAST_TRAINING, PAST_BOOKING = "demo-past-session-tavi", "demo-past-booking-1"
REVIEW = "Six live TAVI cases, and every step of the valve deployment explained at the table. Worth the trip."
ANSWER = "Thank you, Sam. The next session adds a simulator hour for the sheath management."


def seed_past_session(config: Config, programme_id: str) -> None:
    """Hold (once) a past session of a programme of Dr Martin's, the demo trainee present; review and answer it."""
    deps = bootstrap(config)
    trainee = deps.users.by_email(demo.TRAINEE[0])
    source = deps.trainings.get(programme_id)
    if trainee is None or source is None or source.starts_at is None or source.ends_at is None:
        return
    if deps.trainings.get(PAST_TRAINING) is None:
        # The same local hours at the venue three weeks ago, whatever summer or winter time says.
        zone = zone_of(source.timezone) or UTC
        day = (deps.clock().astimezone(zone) - timedelta(days=21)).date()
        starts = datetime.combine(day, source.starts_at.astimezone(zone).time(), tzinfo=zone).astimezone(UTC)
        past = dataclasses.replace(
            source, id=PAST_TRAINING, status=TrainingStatus.PUBLISHED, starts_at=starts,
            ends_at=starts + (source.ends_at - source.starts_at), created_at=starts - timedelta(days=60),
            updated_at=starts - timedelta(days=60), version=1, series_id=source.series_id or source.id,
        )  # fmt: skip
        deps.trainings.add(past)
        fee = deps.policy.fees.service_fee(past.price or 0)
        deps.bookings.add_requested(
            Booking(
                id=PAST_BOOKING, training_id=past.id, trainee_id=trainee.id, amount=(past.price or 0) + fee,
                currency=past.currency or "eur", status=BookingStatus.CONFIRMED,
                requested_at=starts - timedelta(days=40), service_fee=fee, attendance="present", attendance_at=starts,
            )
        )  # fmt: skip
        trainings.complete(deps, past)
    base_url, http = config.public_base_url, requests.Session()
    trainee_token = demo.login(http, base_url, demo.TRAINEE[0])
    expert_token = demo.login(http, base_url, demo.EXPERTS[0][0])
    reviews = http.get(f"{base_url}/api/v1/trainings/{PAST_TRAINING}/reviews", timeout=10).json()
    if reviews.get("total"):
        return
    as_trainee = {"Authorization": f"Bearer {trainee_token}"}
    posted = http.post(f"{base_url}/api/v1/trainings/{PAST_TRAINING}/reviews", timeout=10,
                       json={"rating": 5, "text": REVIEW}, headers=as_trainee)  # fmt: skip
    if posted.status_code == 201:
        http.post(f"{base_url}/api/v1/reviews/{posted.json()['id']}/answer", json={"text": ANSWER},
                  headers={"Authorization": f"Bearer {expert_token}"}, timeout=10)  # fmt: skip
    deadline = time.monotonic() + 30  # the certificate, from the certificates worker
    while time.monotonic() < deadline and not deps.certificates.of_trainee(trainee.id):
        time.sleep(0.5)
