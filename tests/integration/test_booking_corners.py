"""Corners of the booking saga where seats and money used to go wrong, tried over HTTP:
a capacity raise and the waitlist, withdrawing a request, the refund terms of the sale,
a booking rebuilt from its request alone, and the requests still open when the day is over."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

from core.cancellation import RefundTerms
from core.model import Booking, BookingStatus
from core.services import trainings
from core.services.bookings import booking_requested
from events.envelope import new_event
from tests.support import Stack, csrf_of, day_ahead, text_of, wait_for


def _kinds(stack: Stack, user: dict) -> list[str]:
    return [n["kind"] for n in stack.api.call("GET", "/api/v1/me/notifications", user["token"]).json()["items"]]


def _status(stack: Stack, user: dict, booking_id: str) -> dict:
    return stack.api.call("GET", f"/api/v1/bookings/{booking_id}", user["token"]).json()


def test_a_capacity_raise_seats_the_waitlist_first_in_order_with_a_fresh_window(stack: Stack) -> None:
    api = stack.api
    expert = api.expert()
    first, second, third, newcomer = (api.user("trainee") for _ in range(4))
    training = api.published_training(expert, capacity=1)
    a = stack.book(first, training)
    stack.wait_status(a, "held")
    b = stack.book(second, training)
    stack.wait_status(b, "waitlisted")
    c = stack.book(third, training)
    stack.wait_status(c, "waitlisted")

    raised = api.call("PATCH", f"/api/v1/trainings/{training['id']}", expert["token"], json={"capacity": 2})
    assert raised.status_code == 200, raised.text
    # Asked right after the raise: it must queue behind the waitlist, not take the new seat.
    d = stack.book(newcomer, training)
    promoted = stack.wait_status(b, "held")
    assert promoted["expires_at"] > datetime.now(UTC) + timedelta(minutes=25)  # a fresh payment window
    stack.wait_status(d, "waitlisted")
    seats = stack.deps.seats.snapshot(training["id"])
    assert seats["holders"] == [a, b] and seats["waitlist"] == [c, d]
    assert _status(stack, third, c)["waitlist_position"] == 1 and _status(stack, newcomer, d)["waitlist_position"] == 2
    wait_for(lambda: "waitlist.promoted" in _kinds(stack, second), what="the promoted trainee told")
    stack.intent_of(b)  # and asked to pay

    more = api.call("PATCH", f"/api/v1/trainings/{training['id']}", expert["token"], json={"capacity": 4})
    assert more.status_code == 200
    stack.wait_status(c, "held")
    stack.wait_status(d, "held")
    wait_for(lambda: stack.deps.seats.snapshot(training["id"])["waitlist"] == [], what="the waitlist emptied")
    wait_for(lambda: api.call("GET", f"/api/v1/trainings/{training['id']}").json()["seats_left"] == 0,
             what="the catalogue's copy of the free seats")  # fmt: skip


def test_a_request_awaiting_approval_can_be_withdrawn_on_the_web_and_its_seat_goes_on(stack: Stack) -> None:
    api = stack.api
    expert, asking, waiting = api.expert(), api.user("trainee"), api.user("trainee")
    training = api.published_training(expert, capacity=1, requires_approval=True)
    pending = stack.book(asking, training)
    stack.wait_status(pending, "pending_approval")
    queued = stack.book(waiting, training)
    stack.wait_status(queued, "waitlisted")

    session, _csrf = api.web_session(asking["email"])
    page = session.get(f"{api.base_url}/bookings/{pending}")
    assert page.status_code == 200 and "Withdraw my request" in page.text
    withdrawn = session.post(f"{api.base_url}/bookings/{pending}/cancel", data={"csrf": csrf_of(page.text)})
    assert withdrawn.status_code == 200, withdrawn.text  # back on the booking page
    cancelled = stack.wait_status(pending, "cancelled")
    assert cancelled["refund_amount"] == 0 and cancelled["cancelled_from"] == "pending_approval"
    stack.wait_status(queued, "pending_approval")  # the seat went to the next in line, for the expert to decide
    wait_for(lambda: stack.deps.seats.snapshot(training["id"])["holders"] == [queued], what="the seat passed on")
    assert api.call("POST", f"/api/v1/bookings/{pending}/cancel", asking["token"]).status_code == 409
    # The same rule over the API: a request waiting for the expert is withdrawn with 202.
    assert api.call("POST", f"/api/v1/bookings/{queued}/cancel", waiting["token"]).status_code == 202
    stack.wait_status(queued, "cancelled")
    wait_for(lambda: stack.deps.seats.snapshot(training["id"])["holders"] == [], what="its seat given back")


def test_the_refund_terms_a_seat_was_sold_under_are_the_terms_it_keeps(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    starts, ends = day_ahead(45)
    training = api.published_training(expert, starts_at=starts, ends_at=ends, refund_full_days_before=30)
    page = api.call("GET", f"/trainings/{training['id']}").text
    assert "at least 30 days before" in page  # what the buyer reads before booking

    booking = stack.book(trainee, training)
    stack.wait_status(booking, "held")
    stack.intent_of(booking)
    session, _csrf = api.web_session(trainee["email"])
    before_paying = session.get(f"{api.base_url}/bookings/{booking}").text
    assert 'id="refund-terms"' in before_paying and "at least 30 days before" in before_paying
    stack.pay(trainee, booking)
    stack.wait_status(booking, "confirmed")
    shown = _status(stack, trainee, booking)["refund_terms"]
    assert shown["full_refund_days_before"] == 30 and "30 days" in shown["summary"]
    confirmation = wait_for(lambda: [m for m in stack.mails_to(trainee["email"]) if "confirmed" in m["Subject"]],
                            what="the confirmation")  # fmt: skip
    assert "at least 30 days before" in " ".join(text_of(confirmation[0]).split())

    # The expert makes the policy stricter after the sale; 45 days ahead, the buyer still gets it all.
    stricter = api.call("PATCH", f"/api/v1/trainings/{training['id']}", expert["token"],
                        json={"refund_full_days_before": 60})  # fmt: skip
    assert stricter.status_code == 200 and stricter.json()["refund_full_days_before"] == 60
    assert "at least 60 days before" in api.call("GET", f"/trainings/{training['id']}").text  # new buyers' terms
    assert api.call("POST", f"/api/v1/bookings/{booking}/cancel", trainee["token"]).status_code == 202
    cancelled = stack.wait_status(booking, "cancelled")
    assert cancelled["refund_amount"] == 45000  # the price; the service fee is never refunded
    intent = cancelled["payment"]["intent_id"]
    refunds = wait_for(lambda: stack.stripe.v1.refunds.list(params={"payment_intent": intent}).data,
                       what="the refund in Stripe")  # fmt: skip
    assert [r.amount for r in refunds] == [45000]


def test_a_booking_rebuilt_from_its_request_alone_keeps_its_fee_and_terms(stack: Stack) -> None:
    """The API died between the broker's acknowledgement and its own write: the capacity worker
    creates the booking from ``booking.requested``, which must carry all of it."""
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    training = api.published_training(expert, price=45000, refund_full_days_before=30)
    fee = stack.deps.policy.fees.service_fee(45000)
    lost = Booking(
        id=str(uuid.uuid4()), training_id=training["id"], trainee_id=trainee["id"], amount=45000 + fee,
        service_fee=fee, currency="eur", status=BookingStatus.REQUESTED, requested_at=datetime.now(UTC),
        refund_terms=RefundTerms(30),
    )  # fmt: skip
    # Exactly what the API publishes, and nothing written to MongoDB.
    stack.deps.publisher.publish(new_event(booking_requested(lost), source="marketplace", id=lost.id))
    held = stack.wait_status(lost.id, "held")
    assert held["service_fee"] == fee and held["amount"] == 45000 + fee
    assert held["refund_terms"] == {"full_refund_days_before": 30}
    stack.pay(trainee, lost.id)
    stack.wait_status(lost.id, "confirmed")
    assert api.call("POST", f"/api/v1/bookings/{lost.id}/cancel", trainee["token"]).status_code == 202
    assert stack.wait_status(lost.id, "cancelled")["refund_amount"] == 45000  # the fee stays, as for any booking


def test_requests_still_open_when_the_training_is_completed_are_closed_and_told(stack: Stack) -> None:
    api = stack.api
    expert, paid, holding, waiting = api.expert(), api.user("trainee"), api.user("trainee"), api.user("trainee")
    training = api.published_training(expert, capacity=2)
    confirmed = stack.book(paid, training)
    stack.pay(paid, confirmed)
    stack.wait_status(confirmed, "confirmed")
    held = stack.book(holding, training)
    stack.wait_status(held, "held")
    intent = stack.intent_of(held)
    queued = stack.book(waiting, training)
    stack.wait_status(queued, "waitlisted")

    ends = datetime.fromisoformat(training["ends_at"])
    after = dataclasses.replace(stack.deps, clock=lambda: ends + timedelta(hours=1))
    stored = stack.deps.trainings.get(training["id"])
    assert stored is not None
    trainings.complete(after, stored)  # what the sweep does after the day

    for booking_id in (held, queued):
        closed = stack.wait_status(booking_id, "closed")
        assert "took place" in closed["closing_reason"]
    assert stack.booking(confirmed)["status"] == "confirmed"
    wait_for(lambda: (seats := stack.deps.seats.snapshot(training["id"]))["holders"] == [confirmed]
             and seats["waitlist"] == [], what="their seat and place in line released")  # fmt: skip
    wait_for(lambda: stack.stripe.v1.payment_intents.retrieve(intent).status == "canceled",
             what="the unpaid PaymentIntent cancelled")  # fmt: skip
    for trainee in (holding, waiting):
        wait_for(lambda t=trainee: "booking.closed" in _kinds(stack, t), what="trainee told")  # type: ignore[misc]
    mail = wait_for(lambda: [m for m in stack.mails_to(waiting["email"]) if "Request closed" in m["Subject"]],
                    what="the e-mail")  # fmt: skip
    assert "took place" in text_of(mail[0])
    assert api.call("POST", f"/api/v1/bookings/{queued}/cancel", waiting["token"]).status_code == 409
