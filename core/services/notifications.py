"""The notifications worker's use cases: tell each person concerned, once per event."""

from __future__ import annotations

import dataclasses
from typing import Any

from core.calendar import invitation
from core.fees import money_text
from core.model import ACTIVE_STATUSES, BookingStatus, Training, zone_of
from core.ports import Notification
from core.services.delivery import deliver
from core.services.deps import Deps
from events.envelope import Event
from events.types import EventType

# What in a training, once changed, its trainees must hear about.
MATERIAL_CHANGES = ("title", "starts_at", "ends_at", "timezone", "venue", "programme", "languages", "prerequisites")


def on_booking_event(deps: Deps, event: Event) -> None:
    """Fan a booking or payment event out to the trainee, and to the expert or sponsor where it concerns them."""
    data = event.data
    training = deps.trainings.get(data["training_id"])
    title = training.title if training else "your training"
    booking_id = data["booking_id"]
    link = f"{deps.policy.public_base_url}/api/v1/bookings/{booking_id}"
    trainee_id = data.get("trainee_id") or _trainee_of(deps, booking_id)
    money = _money(data.get("amount"), data.get("currency"))
    details = {"training": training_context(deps, training)} if training else {}

    def to_trainee(kind: str, subject: str, body: str, category: str = "bookings", **extra: Any) -> Notification:
        return Notification(trainee_id, event.id, kind, subject, body, link, category, context={**details, **extra})

    messages: list[Notification] = []
    t = event.type
    if t is EventType.BOOKING_REQUESTED:
        # Inbox only: the hold or the waitlist follows within a second, and that one is e-mailed.
        received = "We received your request for a seat and are checking availability."
        messages.append(_quiet(to_trainee("booking.requested", f"Request received: {title}", received)))
    elif t is EventType.BOOKING_HELD and data.get("promoted"):
        messages.append(to_trainee("waitlist.promoted", f"A seat freed up for you: {title}",
                                   f"You were first on the waitlist: a seat is held for you until "
                                   f"{_when(data['expires_at'])}. Pay {money} to confirm it.", "waitlist",
                                   action_label="Pay now"))  # fmt: skip
    elif t is EventType.BOOKING_HELD:
        messages.append(to_trainee("booking.held", f"Seat held: {title}",
                                   f"A seat is held for you until {_when(data['expires_at'])}. "
                                   f"Pay {money} to confirm it.", action_label="Pay now"))  # fmt: skip
    elif t is EventType.BOOKING_AWAITING_APPROVAL:
        messages.append(to_trainee("booking.awaiting_approval", f"Request sent: {title}",
                                   "This training's expert approves each trainee. Your seat is kept until "
                                   f"{_when(data['expires_at'])} while they decide; you pay only once "
                                   "approved."))  # fmt: skip
        if training is not None:
            messages.append(Notification(training.expert_id, event.id, "approval.requested",
                                         f"A trainee asks to join: {title}",
                                         "A trainee asks for a seat. Approve or reject the request from your "
                                         "pending approvals.", f"{deps.policy.public_base_url}/api/v1/me/approvals",
                                         "expert", context=details))  # fmt: skip
    elif t is EventType.BOOKING_APPROVED:
        messages.append(to_trainee("booking.approved", f"Approved: {title}",
                                   "The expert approved your request. Pay now to confirm your seat.",
                                   action_label="Pay now"))  # fmt: skip
    elif t is EventType.BOOKING_WAITLISTED:
        messages.append(to_trainee("booking.waitlisted", f"Waitlisted: {title}",
                                   f"The training is full. You are number {data['position']} on the waitlist; "
                                   "we will tell you when a seat frees up.", "waitlist"))  # fmt: skip
    elif t is EventType.BOOKING_CONFIRMED:
        messages += _confirmed(deps, event, training, trainee_id, money, link, details)
    elif t is EventType.BOOKING_REJECTED:
        messages.append(to_trainee("booking.rejected", f"Booking refused: {title}", data["reason"]))
    elif t is EventType.BOOKING_EXPIRED:
        messages.append(to_trainee("booking.expired", f"Hold expired: {title}",
                                   "Your seat was held but not paid in time, so it went back on sale."))  # fmt: skip
    elif t is EventType.BOOKING_CANCELLED:
        refund = data.get("refund_amount") or 0
        back = f"\n\n{_money(refund, data.get('currency'))} will be refunded to your card." if refund else ""
        if data.get("by") == "expert":
            messages.append(to_trainee("training.cancelled", f"Training cancelled: {title}",
                                       f"The expert cancelled this training: {data['reason']}{back}",
                                       "trainings"))  # fmt: skip
        else:
            messages.append(to_trainee("booking.cancelled", f"Booking cancelled: {title}", f"{data['reason']}{back}"))
    elif t is EventType.PAYMENT_REFUNDED:
        refunded = to_trainee("payment.refunded", f"Refund issued: {title}",
                              f"We refunded {_money(data['amount'], data['currency'])} to your card "
                              f"({data['reason']}).", "payments")  # fmt: skip
        # When the cancellation notice already said how much comes back, the receipt goes
        # to the inbox only: one e-mail per cancellation.
        messages.append(_quiet(refunded) if data.get("announced") else refunded)
    elif t is EventType.PAYMENT_FAILED:
        messages.append(to_trainee("payment.failed", f"Payment failed: {title}",
                                   f"Your payment was declined: {data['reason']}\n\nYour seat stays held until the "
                                   "hold expires; you can pay with another card.", "payments",
                                   action_label="Pay with another card"))  # fmt: skip
    for message in messages:
        deliver(deps, message)


def _confirmed(
    deps: Deps, event: Event, training: Training | None, trainee_id: str, money: str, link: str,
    details: dict[str, Any],
) -> list[Notification]:  # fmt: skip
    title = training.title if training else "your training"
    booking_id = event.data["booking_id"]
    trainee = deps.users.get(trainee_id)
    extra: dict[str, Any] = dict(details)
    if training is not None and trainee is not None:
        extra["invitation"] = _invitation(deps, training, booking_id, trainee.email, trainee.name)
    messages = [
        Notification(
            trainee_id,
            event.id,
            "booking.confirmed",
            f"Booking confirmed: {title}",
            f"Your payment of {money} was received and your seat is confirmed.",
            link,
            "bookings",
            context=extra,
        )  # fmt: skip
    ]
    booking = deps.bookings.get(booking_id)
    if booking is not None and booking.sponsored_by:
        messages.append(Notification(booking.sponsored_by["sponsor_id"], event.id, "sponsorship.redeemed",
                                     f"Sponsored seat redeemed: {title}",
                                     f"A trainee redeemed voucher {booking.voucher_code} and holds a confirmed "
                                     f"seat on {title}.", None, "sponsors", context=details))  # fmt: skip
    if training is not None:
        who = trainee.name if trainee else "A trainee"
        messages.append(Notification(training.expert_id, event.id, "booking.new", f"New booking: {title}",
                                     f"{who} booked and paid a seat on {title}.",
                                     f"{deps.policy.public_base_url}/api/v1/me/trainings", "expert",
                                     context=details))  # fmt: skip
    return messages


def on_training_updated(deps: Deps, event: Event) -> None:
    """Tell every booked and waitlisted trainee what changed; confirmed ones get an updated invitation."""
    changed = sorted({c.split(".")[0] for c in event.data.get("changes", [])} & set(MATERIAL_CHANGES))
    training = deps.trainings.get(event.data["training_id"])
    if not changed or training is None:
        return
    details = training_context(deps, training)
    what = ", ".join(c.replace("_", " ") for c in changed)
    for booking in deps.bookings.live_on_training(training.id):
        if booking.status not in ACTIVE_STATUSES:
            continue
        context: dict[str, Any] = {"training": details}
        trainee = deps.users.get(booking.trainee_id)
        if booking.status is BookingStatus.CONFIRMED and trainee is not None:
            context["invitation"] = _invitation(deps, training, booking.id, trainee.email, trainee.name)
        deliver(deps, Notification(booking.trainee_id, event.id, "training.updated",
                                   f"Training changed: {training.title}",
                                   f"The expert changed this training ({what}). The details below are the new ones.",
                                   f"{deps.policy.public_base_url}/api/v1/bookings/{booking.id}", "trainings",
                                   context=context))  # fmt: skip


def on_reminder_due(deps: Deps, event: Event) -> None:
    """The day before: remind every confirmed trainee where and when."""
    training = deps.trainings.get(event.data["training_id"])
    if training is None:
        return
    details = training_context(deps, training)
    for booking in deps.bookings.live_on_training(training.id):
        if booking.status is not BookingStatus.CONFIRMED:
            continue
        deliver(deps, Notification(booking.trainee_id, event.id, "training.reminder",
                                   f"Tomorrow: {training.title}",
                                   f"Your training starts on {details['day_label']} at {details['starts']} "
                                   f"({details['timezone']} time). Please arrive 15 minutes early with an ID.",
                                   f"{deps.policy.public_base_url}/api/v1/bookings/{booking.id}", "reminders",
                                   context={"training": details}))  # fmt: skip


def on_expert_verification(deps: Deps, event: Event) -> None:
    """Tell the expert how the credential check went."""
    expert_id = event.data["expert_id"]
    link = f"{deps.policy.public_base_url}/api/v1/me"
    if event.type is EventType.EXPERT_VERIFIED:
        message = Notification(expert_id, event.id, "expert.verified", "Your credentials are verified",
                               "An admin checked your credentials: you can now publish trainings, and they "
                               "show the verified badge.", link, "account")  # fmt: skip
    else:
        message = Notification(expert_id, event.id, "expert.rejected", "Your credentials could not be verified",
                               f"Reason: {event.data.get('reason')}\n\nYou can correct them and submit again.",
                               link, "account")  # fmt: skip
    deliver(deps, message)


def on_vouchers_issued(deps: Deps, event: Event) -> None:
    """Send the sponsor the voucher codes of a paid purchase."""
    data = event.data
    training = deps.trainings.get(data["training_id"])
    title = training.title if training else "the training"
    body = (
        f"Payment received for {data['seats']} sponsored seat(s) on {title}. Give one code to each trainee "
        "you sponsor; they enter it when booking."
    )
    link = f"{deps.policy.public_base_url}/api/v1/sponsorships/{data['sponsorship_id']}"
    context: dict[str, Any] = {"codes": list(data.get("codes", []))}
    if training is not None:
        context["training"] = training_context(deps, training)
    deliver(deps, Notification(data["sponsor_id"], event.id, "vouchers.issued", f"Your sponsored seats: {title}",
                               body, link, "sponsors", context=context))  # fmt: skip


def on_certificate_issued(deps: Deps, event: Event) -> None:
    """Tell the trainee their certificate of attendance is ready to download."""
    data = event.data
    training = deps.trainings.get(data["training_id"])
    title = training.title if training else "your training"
    body = (
        f"Your certificate of attendance for {title} is ready. Download it from your certificates; "
        "anyone can check it with its verification code."
    )
    link = f"{deps.policy.public_base_url}/me/certificates"
    details = {"training": training_context(deps, training)} if training else {}
    context = {**details, "action_label": "Download"}
    deliver(deps, Notification(data["trainee_id"], event.id, "certificate.issued", f"Your certificate: {title}",
                               body, link, "certificates", context=context))  # fmt: skip


def on_review_event(deps: Deps, event: Event) -> None:
    """A new review goes to the training's expert; the expert's answer goes to the review's author."""
    data = event.data
    training = deps.trainings.get(data["training_id"])
    title = training.title if training else "your training"
    link = f"{deps.policy.public_base_url}/trainings/{data['training_id']}#reviews"
    if event.type is EventType.REVIEW_POSTED:
        body = f"A trainee rated {title} {data['rating']} out of 5. You may answer the review once, publicly."
        deliver(deps, Notification(data["expert_id"], event.id, "review.posted", f"New review: {title}", body,
                                   link, "reviews", context={"action_label": "Read and answer"}))  # fmt: skip
    elif event.type is EventType.REVIEW_ANSWERED:
        body = f"The expert of {title} answered your review."
        deliver(deps, Notification(data["trainee_id"], event.id, "review.answered", f"Answer to your review: {title}",
                                   body, link, "reviews", context={"action_label": "Read the answer"}))  # fmt: skip


def training_context(deps: Deps, training: Training) -> dict[str, Any]:
    """What the e-mail templates show of a training, in the venue's local time."""
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
        "timezone": training.timezone or "UTC",
        "institution": venue.institution,
        "address": venue.address,
        "postal_code": venue.postal_code,
        "city": venue.city,
        "country": venue.country,
        "programme": list(training.programme),
        "cme_credits": training.cme_credits,
        "expert_name": expert.name if expert else "",
        "url": f"{deps.policy.public_base_url}/api/v1/trainings/{training.id}",
    }


def _invitation(deps: Deps, training: Training, booking_id: str, email: str, name: str) -> str | None:
    if training.starts_at is None or training.ends_at is None:
        return None
    return invitation(
        training, uid=f"{booking_id}@{deps.policy.calendar_domain}", attendee_email=email, attendee_name=name,
        organizer_email=deps.policy.organizer_email, organizer_name=deps.policy.marketplace_name,
        url=f"{deps.policy.public_base_url}/api/v1/trainings/{training.id}", now=deps.clock(),
        sequence=training.version,
    )  # fmt: skip


def _quiet(message: Notification) -> Notification:
    return dataclasses.replace(message, emailed=False)


def _trainee_of(deps: Deps, booking_id: str) -> str:
    booking = deps.bookings.get(booking_id)
    if booking is None:
        raise LookupError(f"No booking {booking_id}.")
    return booking.trainee_id


def _when(iso: str) -> str:
    return iso.replace("T", " ")[:16] + " UTC"


def _money(amount: object, currency: object) -> str:
    if not isinstance(amount, int) or not isinstance(currency, str):
        return "the price"
    return money_text(amount, currency)


HANDLERS = {
    EventType.BOOKING_REQUESTED: [on_booking_event],
    EventType.BOOKING_HELD: [on_booking_event],
    EventType.BOOKING_WAITLISTED: [on_booking_event],
    EventType.BOOKING_CONFIRMED: [on_booking_event],
    EventType.BOOKING_REJECTED: [on_booking_event],
    EventType.BOOKING_EXPIRED: [on_booking_event],
    EventType.BOOKING_AWAITING_APPROVAL: [on_booking_event],
    EventType.BOOKING_APPROVED: [on_booking_event],
    EventType.BOOKING_CANCELLED: [on_booking_event],
    EventType.PAYMENT_REFUNDED: [on_booking_event],
    EventType.PAYMENT_FAILED: [on_booking_event],
    EventType.TRAINING_UPDATED: [on_training_updated],
    EventType.TRAINING_REMINDER_DUE: [on_reminder_due],
    EventType.EXPERT_VERIFIED: [on_expert_verification],
    EventType.EXPERT_REJECTED: [on_expert_verification],
    EventType.VOUCHERS_ISSUED: [on_vouchers_issued],
    EventType.CERTIFICATE_ISSUED: [on_certificate_issued],
    EventType.REVIEW_POSTED: [on_review_event],
    EventType.REVIEW_ANSWERED: [on_review_event],
}
