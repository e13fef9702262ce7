"""The notifications worker's use cases: tell each person concerned, once per event."""

from __future__ import annotations

from core.ports import Email, Notification
from core.services.deps import Deps
from events.envelope import Event, derived_id
from events.types import EventType


def on_booking_event(deps: Deps, event: Event) -> None:
    """Fan a booking or payment event out to the trainee (and the expert, on confirmation)."""
    data = event.data
    training = deps.trainings.get(data["training_id"])
    title = training.title if training else "your training"
    link = f"{deps.policy.public_base_url}/api/v1/bookings/{data['booking_id']}"
    messages: list[Notification] = []
    trainee_id = data.get("trainee_id") or _trainee_of(deps, data["booking_id"])
    money = _money(data.get("amount"), data.get("currency"))
    if event.type is EventType.BOOKING_HELD and data.get("promoted"):
        messages.append(_note(trainee_id, event, "waitlist.promoted", f"A seat freed up for you: {title}",
                              f"You were first on the waitlist: a seat is held for you until {data['expires_at']}. "
                              f"Pay {money} to confirm it.", link))  # fmt: skip
    elif event.type is EventType.BOOKING_HELD:
        messages.append(
            _note(
                trainee_id,
                event,
                "booking.held",
                f"Seat held: {title}",
                f"A seat is held for you until {data['expires_at']}. Pay {money} to confirm it.",
                link,
            )
        )
    elif event.type is EventType.BOOKING_AWAITING_APPROVAL:
        messages.append(_note(trainee_id, event, "booking.awaiting_approval", f"Request sent: {title}",
                              "This training's expert approves each trainee. Your seat is kept until "
                              f"{data['expires_at']} while they decide; you pay only once approved.",
                              link))  # fmt: skip
        if training is not None:
            messages.append(_note(training.expert_id, event, "approval.requested", f"A trainee asks to join: {title}",
                                  "A trainee asks for a seat. Approve or reject the request from your pending "
                                  "approvals (GET /api/v1/me/approvals).", None))  # fmt: skip
    elif event.type is EventType.BOOKING_APPROVED:
        messages.append(_note(trainee_id, event, "booking.approved", f"Approved: {title}",
                              "The expert approved your request. Pay now to confirm your seat.", link))  # fmt: skip
    elif event.type is EventType.BOOKING_EXPIRED:
        messages.append(_note(trainee_id, event, "booking.expired", f"Hold expired: {title}",
                              "Your seat was held but not paid in time, so it went back on sale.", link))  # fmt: skip
    elif event.type is EventType.BOOKING_CANCELLED:
        refund = data.get("refund_amount") or 0
        back = f" {_money(refund, data.get('currency'))} will be refunded." if refund else ""
        messages.append(_note(trainee_id, event, "booking.cancelled", f"Booking cancelled: {title}",
                              f"{data['reason']}{back}", link))  # fmt: skip
    elif event.type is EventType.PAYMENT_REFUNDED:
        messages.append(_note(trainee_id, event, "payment.refunded", f"Refund issued: {title}",
                              f"We refunded {_money(data['amount'], data['currency'])} to your card "
                              f"({data['reason']}).", link))  # fmt: skip
    elif event.type is EventType.BOOKING_WAITLISTED:
        messages.append(
            _note(
                trainee_id,
                event,
                "booking.waitlisted",
                f"Waitlisted: {title}",
                f"The training is full. You are number {data['position']} "
                "on the waitlist; we will tell you when a seat frees up.",
                link,
            )
        )
    elif event.type is EventType.BOOKING_CONFIRMED:
        messages.append(
            _note(
                trainee_id,
                event,
                "booking.confirmed",
                f"Booking confirmed: {title}",
                f"Your payment of {money} was received and your seat is confirmed.",
                link,
            )
        )
        booking = deps.bookings.get(data["booking_id"])
        if booking is not None and booking.sponsored_by:
            messages.append(
                _note(
                    booking.sponsored_by["sponsor_id"], event, "sponsorship.redeemed",
                    f"Sponsored seat redeemed: {title}",
                    f"A trainee redeemed voucher {booking.voucher_code} and holds a confirmed seat on {title}.",
                    None,
                )
            )  # fmt: skip
        if training is not None:
            trainee = deps.users.get(trainee_id)
            who = trainee.name if trainee else "A trainee"
            messages.append(
                _note(
                    training.expert_id,
                    event,
                    "booking.new",
                    f"New booking: {title}",
                    f"{who} booked and paid a seat on {title}.",
                    None,
                )
            )
    elif event.type is EventType.BOOKING_REJECTED:
        messages.append(_note(trainee_id, event, "booking.rejected", f"Booking refused: {title}", data["reason"], link))
    elif event.type is EventType.PAYMENT_FAILED:
        messages.append(
            _note(
                trainee_id,
                event,
                "payment.failed",
                f"Payment failed: {title}",
                f"Your payment was declined: {data['reason']} Your seat stays "
                "held until the hold expires; you can pay with another card.",
                link,
            )
        )
    for message in messages:
        deliver(deps, message)


def on_expert_verification(deps: Deps, event: Event) -> None:
    """Tell the expert how the credential check went."""
    expert_id = event.data["expert_id"]
    link = f"{deps.policy.public_base_url}/api/v1/me"
    if event.type is EventType.EXPERT_VERIFIED:
        message = _note(expert_id, event, "expert.verified", "Your credentials are verified",
                        "An admin checked your credentials: you can now publish trainings, and they "
                        "show the verified badge.", link)  # fmt: skip
    else:
        message = _note(expert_id, event, "expert.rejected", "Your credentials could not be verified",
                        f"Reason: {event.data.get('reason')} You can correct them and submit again.",
                        link)  # fmt: skip
    deliver(deps, message)


def on_vouchers_issued(deps: Deps, event: Event) -> None:
    """Send the sponsor the voucher codes of a paid purchase."""
    data = event.data
    training = deps.trainings.get(data["training_id"])
    title = training.title if training else "the training"
    codes = "\n".join(f"  {c}" for c in data.get("codes", []))
    body = (
        f"Payment received for {data['seats']} sponsored seat(s) on {title}. Give one code to each trainee "
        f"you sponsor; they enter it when booking:\n{codes}"
    )
    link = f"{deps.policy.public_base_url}/api/v1/sponsorships/{data['sponsorship_id']}"
    deliver(deps, _note(data["sponsor_id"], event, "vouchers.issued", f"Your sponsored seats: {title}", body, link))


def deliver(deps: Deps, message: Notification) -> None:
    """Put the notification in the inbox and e-mail it, each once per person and event."""
    now = deps.clock()
    deps.inbox.add(message, now)  # unique per (person, event): a replay adds nothing
    if deps.sent_emails.already_sent(message.user_id, message.event_id):
        return
    user = deps.users.get(message.user_id)
    if user is None:
        return
    message_id = derived_id(message.event_id, f"email/{message.user_id}")
    text = f"Hello {user.name},\n\n{message.body}\n"
    if message.link:
        text += f"\nDetails: {message.link}\n"
    text += "\n-- The in-situ training marketplace\n"
    deps.mailer.send(Email(to=user.email, subject=message.title, text=text, message_id=message_id))
    # A crash between send and mark resends once, with the same Message-ID, so a mail
    # client shows it once; the alternative (mark first) could lose the e-mail.
    deps.sent_emails.mark_sent(message.user_id, message.event_id, message_id, now)


def _note(user_id: str, event: Event, kind: str, title: str, body: str, link: str | None) -> Notification:
    return Notification(user_id=user_id, event_id=event.id, kind=kind, title=title, body=body, link=link)


def _trainee_of(deps: Deps, booking_id: str) -> str:
    booking = deps.bookings.get(booking_id)
    if booking is None:
        raise LookupError(f"No booking {booking_id}.")
    return booking.trainee_id


def _money(amount: object, currency: object) -> str:
    if not isinstance(amount, int) or not isinstance(currency, str):
        return "the price"
    return f"{amount / 100:.2f} {currency.upper()}"


HANDLERS = {
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
    EventType.EXPERT_VERIFIED: [on_expert_verification],
    EventType.EXPERT_REJECTED: [on_expert_verification],
    EventType.VOUCHERS_ISSUED: [on_vouchers_issued],
}
