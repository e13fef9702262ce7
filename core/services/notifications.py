"""The notifications worker's use cases: tell each person concerned, once per event.

What a notice says is the table in ``core.notices``; here each event finds who is concerned,
gathers the facts its words need and the page it links to (always a web page, ``core.links``).
"""

from __future__ import annotations

from typing import Any

from core.cancellation import RefundTerms, terms_of
from core.links import Links
from core.model import ACTIVE_STATUSES, Booking, BookingStatus, Role, Training
from core.notices import NOTICES
from core.ports import CalendarFile, Notification
from core.services.delivery import deliver
from core.services.deps import Deps
from core.services.notice_facts import calendar_file, money, training_context, venue_when
from events.envelope import Event
from events.types import EventType

# What in a training, once changed, its trainees must hear about.
MATERIAL_CHANGES = ("title", "starts_at", "ends_at", "timezone", "venue", "programme", "languages", "prerequisites")

# The notice a booking or payment event gives its trainee.
TRAINEE_NOTICE = {
    EventType.BOOKING_REQUESTED: "booking.requested",
    EventType.BOOKING_HELD: "booking.held",
    EventType.BOOKING_AWAITING_APPROVAL: "booking.awaiting_approval",
    EventType.BOOKING_APPROVED: "booking.approved",
    EventType.BOOKING_WAITLISTED: "booking.waitlisted",
    EventType.BOOKING_CONFIRMED: "booking.confirmed",
    EventType.BOOKING_REJECTED: "booking.rejected",
    EventType.BOOKING_EXPIRED: "booking.expired",
    EventType.BOOKING_CLOSED: "booking.closed",
    EventType.BOOKING_CANCELLED: "booking.cancelled",
    EventType.PAYMENT_REFUNDED: "payment.refunded",
    EventType.PAYMENT_FAILED: "payment.failed",
}


def notify(
    deps: Deps, user_id: str, event: Event, kind: str, facts: dict[str, Any], link: str | None,
    context: dict[str, Any] | None = None, calendar: CalendarFile | None = None, emailed: bool = True,
) -> None:  # fmt: skip
    """Deliver the notice ``kind`` (its words from the table) to one person about one event."""
    notice = NOTICES[kind]
    subject, body = notice.words(facts)
    extra = dict(context or {})
    if notice.action:
        extra["action_label"] = notice.action
    deliver(deps, Notification(user_id, event.id, kind, subject, body, link, notice.category,
                               emailed=notice.emailed and emailed, context=extra, calendar=calendar))  # fmt: skip


def on_booking_event(deps: Deps, event: Event) -> None:
    """Fan a booking or payment event out to the trainee, and to the expert or sponsor where it concerns them."""
    data = event.data
    links = Links(deps.policy.public_base_url)
    training = deps.trainings.get(data["training_id"])
    # The booking itself only where the event lacks what is needed: one read less per notice.
    needs_booking = event.type is EventType.BOOKING_CONFIRMED or not data.get("trainee_id")
    booking = deps.bookings.get(data["booking_id"]) if needs_booking else None
    trainee_id = data.get("trainee_id") or (booking.trainee_id if booking else None)
    if trainee_id is None:
        raise LookupError(f"No booking {data['booking_id']}.")
    facts = _booking_facts(data, training)
    details = {"training": training_context(deps, training)} if training else {}
    kind = TRAINEE_NOTICE[event.type]
    emailed, calendar = True, None
    if event.type is EventType.BOOKING_HELD and data.get("promoted"):
        kind = "waitlist.promoted"
    elif event.type is EventType.BOOKING_CANCELLED:
        kind = "training.cancelled" if data.get("by") == "expert" else "booking.cancelled"
        if data.get("was") == BookingStatus.CONFIRMED and training is not None:
            calendar = calendar_file(deps, training, data["booking_id"], trainee_id, cancelled=True)
    elif event.type is EventType.PAYMENT_REFUNDED:
        # When the cancellation notice already said how much comes back, the receipt goes
        # to the inbox only: one e-mail per cancellation.
        emailed = not data.get("announced")
    elif event.type is EventType.BOOKING_CONFIRMED and training is not None:
        facts["terms"] = _terms(booking, training).summary()
        calendar = calendar_file(deps, training, data["booking_id"], trainee_id, cancelled=False)
    notify(deps, trainee_id, event, kind, facts, links.booking(data["booking_id"]), details, calendar, emailed)
    if training is None:
        return
    if event.type is EventType.BOOKING_AWAITING_APPROVAL:
        notify(deps, training.expert_id, event, "approval.requested", {**facts, "who": _name(deps, trainee_id)},
               links.expert_training(training.id), details)  # fmt: skip
    elif event.type is EventType.BOOKING_CONFIRMED:
        if booking is not None and booking.sponsored_by:
            notify(deps, booking.sponsored_by["sponsor_id"], event, "sponsorship.redeemed",
                   {**facts, "code": booking.voucher_code}, links.sponsorship(booking.sponsored_by["sponsorship_id"]),
                   details)  # fmt: skip
        notify(deps, training.expert_id, event, "booking.new", {**facts, "who": _name(deps, trainee_id)},
               links.expert_training(training.id), details)  # fmt: skip


def _booking_facts(data: dict[str, Any], training: Training | None) -> dict[str, Any]:
    refund = data.get("refund_amount") or 0
    return {
        "title": training.title if training else "your training",
        "money": money(data.get("amount"), data.get("currency")),
        "until": venue_when(data.get("expires_at"), training),
        "position": data.get("position"),
        "reason": data.get("reason", ""),
        "refund": f"\n\n{money(refund, data.get('currency'))} will be refunded to your card." if refund else "",
    }


def _terms(booking: Booking | None, training: Training) -> RefundTerms:
    return terms_of(booking, training) if booking is not None else RefundTerms.of(training)


def _name(deps: Deps, user_id: str) -> str:
    user = deps.users.get(user_id)
    return user.name if user else "A trainee"


def on_training_updated(deps: Deps, event: Event) -> None:
    """Tell every booked and waitlisted trainee what changed; confirmed ones get an updated invitation."""
    changed = sorted({c.split(".")[0] for c in event.data.get("changes", [])} & set(MATERIAL_CHANGES))
    training = deps.trainings.get(event.data["training_id"])
    if not changed or training is None:
        return
    links = Links(deps.policy.public_base_url)
    details = training_context(deps, training)
    facts = {"title": training.title, "what": ", ".join(c.replace("_", " ") for c in changed)}
    for booking in deps.bookings.live_on_training(training.id):
        if booking.status not in ACTIVE_STATUSES:
            continue
        calendar = None
        if booking.status is BookingStatus.CONFIRMED:
            calendar = calendar_file(deps, training, booking.id, booking.trainee_id, cancelled=False)
        notify(deps, booking.trainee_id, event, "training.updated", facts, links.booking(booking.id),
               {"training": details}, calendar)  # fmt: skip


def on_reminder_due(deps: Deps, event: Event) -> None:
    """The day before: remind every confirmed trainee where and when."""
    training = deps.trainings.get(event.data["training_id"])
    if training is None:
        return
    links = Links(deps.policy.public_base_url)
    details = training_context(deps, training)
    facts = {"title": training.title, "day": details["day_label"], "starts": details["starts"],
             "zone": details["timezone"]}  # fmt: skip
    for booking in deps.bookings.live_on_training(training.id):
        if booking.status is BookingStatus.CONFIRMED:
            notify(deps, booking.trainee_id, event, "training.reminder", facts, links.booking(booking.id),
                   {"training": details})  # fmt: skip


def on_expert_verification(deps: Deps, event: Event) -> None:
    """Tell the expert how the credential check went (or that their verification was withdrawn)."""
    kind = {
        EventType.EXPERT_VERIFIED: "expert.verified",
        EventType.EXPERT_REJECTED: "expert.rejected",
        EventType.EXPERT_VERIFICATION_WITHDRAWN: "expert.verification_withdrawn",
    }[event.type]
    facts = {"reason": event.data.get("reason") or ""}
    notify(deps, event.data["expert_id"], event, kind, facts, Links(deps.policy.public_base_url).credentials())


def on_verification_requested(deps: Deps, event: Event) -> None:
    """Tell every admin that an expert's credentials wait for a check."""
    facts = {"who": _name(deps, event.data["expert_id"])}
    desk = Links(deps.policy.public_base_url).admin_experts()
    for admin in deps.users.with_role(Role.ADMIN):
        notify(deps, admin.id, event, "expert.verification_requested", facts, desk)


def on_demo_event(deps: Deps, event: Event) -> None:
    """A proposal goes to the training's expert; the expert's answer goes to the sponsor."""
    data = event.data
    training = deps.trainings.get(data["training_id"]) if data.get("training_id") else None
    if training is None:
        return
    links = Links(deps.policy.public_base_url)
    sponsor = deps.users.get(data["sponsor_id"])
    facts = {"title": training.title, "demo": data["title"],
             "company": (sponsor.company or sponsor.name) if sponsor else "A sponsor"}  # fmt: skip
    if event.type is EventType.DEMO_LINK_REQUESTED:
        notify(deps, training.expert_id, event, "demo.proposed", facts, links.expert_training(training.id))
    else:
        kind = "demo.accepted" if event.type is EventType.DEMO_LINK_ACCEPTED else "demo.declined"
        notify(deps, data["sponsor_id"], event, kind, facts, links.training(training.id))


def on_sponsorship_event(deps: Deps, event: Event) -> None:
    """Tell the sponsor about a purchase: its codes, its refund, or that it was called off."""
    data = event.data
    training = deps.trainings.get(data["training_id"])
    facts = {"title": training.title if training else "the training", "seats": data["seats"],
             "money": money(data.get("amount"), data.get("currency")), "reason": data.get("reason") or ""}  # fmt: skip
    context: dict[str, Any] = {"training": training_context(deps, training)} if training else {}
    kind = {
        EventType.VOUCHERS_ISSUED: "vouchers.issued",
        EventType.SPONSORSHIP_REFUNDED: "sponsorship.refunded",
        EventType.SPONSORSHIP_CANCELLED: "sponsorship.cancelled",
    }[event.type]
    if event.type is EventType.VOUCHERS_ISSUED:
        context["codes"] = list(data.get("codes", []))
    link = Links(deps.policy.public_base_url).sponsorship(data["sponsorship_id"])
    notify(deps, data["sponsor_id"], event, kind, facts, link, context)


def on_certificate_issued(deps: Deps, event: Event) -> None:
    """Tell the trainee their certificate of attendance is ready to download."""
    data = event.data
    training = deps.trainings.get(data["training_id"])
    facts = {"title": training.title if training else "your training"}
    details = {"training": training_context(deps, training)} if training else {}
    notify(deps, data["trainee_id"], event, "certificate.issued", facts,
           Links(deps.policy.public_base_url).certificates(), details)  # fmt: skip


def on_review_event(deps: Deps, event: Event) -> None:
    """A new review goes to the training's expert; the expert's answer goes to the review's author."""
    data = event.data
    training = deps.trainings.get(data["training_id"])
    facts = {"title": training.title if training else "your training", "rating": data["rating"]}
    link = Links(deps.policy.public_base_url).reviews(data["training_id"])
    if event.type is EventType.REVIEW_POSTED:
        notify(deps, data["expert_id"], event, "review.posted", facts, link)
    elif event.type is EventType.REVIEW_ANSWERED:
        notify(deps, data["trainee_id"], event, "review.answered", facts, link)


HANDLERS = {
    **{event_type: [on_booking_event] for event_type in TRAINEE_NOTICE},
    EventType.TRAINING_UPDATED: [on_training_updated],
    EventType.TRAINING_REMINDER_DUE: [on_reminder_due],
    EventType.EXPERT_VERIFIED: [on_expert_verification],
    EventType.EXPERT_REJECTED: [on_expert_verification],
    EventType.EXPERT_VERIFICATION_WITHDRAWN: [on_expert_verification],
    EventType.EXPERT_VERIFICATION_REQUESTED: [on_verification_requested],
    EventType.DEMO_LINK_REQUESTED: [on_demo_event],
    EventType.DEMO_LINK_ACCEPTED: [on_demo_event],
    EventType.DEMO_LINK_DECLINED: [on_demo_event],
    EventType.VOUCHERS_ISSUED: [on_sponsorship_event],
    EventType.SPONSORSHIP_REFUNDED: [on_sponsorship_event],
    EventType.SPONSORSHIP_CANCELLED: [on_sponsorship_event],
    EventType.CERTIFICATE_ISSUED: [on_certificate_issued],
    EventType.REVIEW_POSTED: [on_review_event],
    EventType.REVIEW_ANSWERED: [on_review_event],
}
