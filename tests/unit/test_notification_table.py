"""The notification table, on the shared fakes of the ports: which notices each event type gives
(to whom, in which category, with which subject), its variants (promotions, cancellations by the
expert, announced refunds, vouchers, material changes), and delivery once per person and event,
the handler bound to its ports as the runner binds it."""

from __future__ import annotations

import typing
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.cancellation import RefundTerms
from core.handlers import inject, notifications
from core.model import BookingStatus, Role
from core.notice_table import NOTICE_TABLE, SILENT, Audience, Calendar, Condition, Page
from core.notices import NOTICES
from core.ports import Notification
from core.services.deps import Deps, Policy
from core.services.notice_facts import FactSources, NoticeFacts, calendar_file, money, venue_when
from events import (
    ALL_EVENTS,
    AssessmentRecorded,
    BookingApproved,
    BookingAwaitingApproval,
    BookingCancelled,
    BookingClosed,
    BookingConfirmed,
    BookingExpired,
    BookingHeld,
    BookingRejected,
    BookingRequested,
    BookingWaitlisted,
    CertificateIssued,
    DemoLinkAccepted,
    DemoLinkDeclined,
    DemoLinkRequested,
    DomainEvent,
    ExpertRejected,
    ExpertVerificationRequested,
    ExpertVerificationWithdrawn,
    ExpertVerified,
    FollowUpMessageHidden,
    FollowUpMessagePosted,
    FollowUpMessageReported,
    PaymentFailed,
    PaymentRefunded,
    QuestionAnswered,
    QuestionAsked,
    QuestionHidden,
    QuestionReported,
    ReviewAnswered,
    ReviewPosted,
    SponsorshipCancelled,
    SponsorshipRefunded,
    TrainingReminderDue,
    TrainingUpdated,
    VouchersIssued,
)
from events.envelope import Event
from tests.fakes import FakeClock, fake_deps
from tests.unit import builders
from workers import notifications as notifications_worker

NOW = datetime.now(UTC)
T = "TAVI, step by step"
BASE = "https://marketplace.example.org"


def _deps(training: bool = True, sponsored: bool = True) -> Deps:
    """Trainees, an expert, a sponsor and two admins; one training of the expert with four bookings."""
    deps = fake_deps(policy=Policy(public_base_url=BASE), clock=FakeClock(NOW))
    people = {
        "ada": (Role.TRAINEE, "Ada Lovelace"),
        "bob": (Role.TRAINEE, "Bob"),
        "cy": (Role.TRAINEE, "Cy"),
        "dan": (Role.TRAINEE, "Dan"),
        "curie": (Role.EXPERT, "Prof. Marie Curie"),
        "jane": (Role.SPONSOR, "Jane Doe"),
        "root": (Role.ADMIN, "Root"),
        "ops": (Role.ADMIN, "Ops"),
    }
    user = {
        uid: builders.user(deps, role, name, id=uid, **({"company": "MedDevice SA"} if uid == "jane" else {}))
        for uid, (role, name) in people.items()
    }
    tavi = builders.training(deps, user["curie"], id="t-1", title=T, timezone="Europe/Paris", currency="EUR")
    sponsor = {"sponsor_id": "jane", "sponsorship_id": "sp-1"}
    voucher: dict[str, Any] = {"voucher_code": "SPONSOR-AB12", "sponsored_by": sponsor} if sponsored else {}
    for booking_id, trainee, status, extra in (
        ("b-ada", "ada", BookingStatus.CONFIRMED, voucher),
        ("b-bob", "bob", BookingStatus.HELD, {}),
        ("b-cy", "cy", BookingStatus.WAITLISTED, {}),
        ("b-dan", "dan", BookingStatus.CANCELLED, {}),
    ):
        builders.booking(deps, tavi, user[trainee], status, id=booking_id, amount=12000,
                         refund_terms=RefundTerms(14), **extra)  # fmt: skip
    if not training:
        del deps.trainings.rows[tavi.id]  # gone since: the bookings still name it
    return deps


def _on_event(deps: Deps, event: Event) -> None:
    """The handler as the notifications worker runs it: bound to the ports it names."""
    inject(notifications.on_event, deps)(event)


def _event(event_type: str, **data: Any) -> Event:
    return Event(event_type, "subject", data, "key", id=f"ev-{event_type}")


BOOKING = {"booking_id": "b-ada", "training_id": "t-1", "trainee_id": "ada", "amount": 12000, "currency": "EUR"}
WAITING = {**BOOKING, "booking_id": "b-cy", "trainee_id": "cy"}
UNTIL = {"expires_at": (NOW + timedelta(minutes=30)).isoformat()}
SPONSORSHIP = {
    "sponsorship_id": "sp-1",
    "sponsor_id": "jane",
    "training_id": "t-1",
    "seats": 2,
    "amount": 24000,
    "currency": "EUR",
    "codes": ["SPONSOR-AB12", "SPONSOR-CD34"],
}
DEMO = {"demo_id": "d-1", "sponsor_id": "jane", "title": "Valve system X", "training_id": "t-1"}
REVIEW = {"review_id": "r-1", "training_id": "t-1", "expert_id": "curie", "trainee_id": "ada", "rating": 5}
ASSESSMENT = {"booking_id": "b-ada", "training_id": "t-1", "trainee_id": "ada", "expert_id": "curie"}
CREDENTIALS = {"expert_id": "curie", "status": "pending", "reason": "Unreadable scan"}
QUESTION = {"question_id": "q-1", "training_id": "t-1", "expert_id": "curie", "trainee_id": "bob"}

# A sample event of every type in the table, and the notices it gives: (to whom, category, subject).
SAMPLES: dict[type[DomainEvent], tuple[dict[str, Any], list[tuple[str, str, str]]]] = {
    BookingRequested.TYPE: (BOOKING, [("ada", "bookings", f"Request received: {T}")]),
    BookingHeld.TYPE: ({**BOOKING, **UNTIL}, [("ada", "bookings", f"Seat held: {T}")]),
    BookingAwaitingApproval.TYPE: (
        {**BOOKING, **UNTIL},
        [("ada", "bookings", f"Request sent: {T}"), ("curie", "expert", f"A trainee asks to join: {T}")],
    ),
    BookingApproved.TYPE: (BOOKING, [("ada", "bookings", f"Approved: {T}")]),
    BookingWaitlisted.TYPE: ({**WAITING, "position": 2}, [("cy", "waitlist", f"Waitlisted: {T}")]),
    BookingConfirmed.TYPE: (
        {**BOOKING, "payment_intent_id": "pi-1"},
        [
            ("ada", "bookings", f"Booking confirmed: {T}"),
            ("jane", "sponsors", f"Sponsored seat redeemed: {T}"),
            ("curie", "expert", f"New booking: {T}"),
        ],
    ),
    BookingRejected.TYPE: ({**BOOKING, "reason": "Full."}, [("ada", "bookings", f"Booking refused: {T}")]),
    BookingExpired.TYPE: ({**BOOKING, **UNTIL}, [("ada", "bookings", f"Hold expired: {T}")]),
    BookingClosed.TYPE: ({**BOOKING, "reason": "It took place."}, [("ada", "bookings", f"Request closed: {T}")]),
    BookingCancelled.TYPE: (
        {**BOOKING, "reason": "You cancelled.", "refund_amount": 0, "by": "trainee", "was": "held"},
        [("ada", "bookings", f"Booking cancelled: {T}")],
    ),
    PaymentRefunded.TYPE: ({**BOOKING, "reason": "cancelled"}, [("ada", "payments", f"Refund issued: {T}")]),
    PaymentFailed.TYPE: (
        {"booking_id": "b-ada", "training_id": "t-1", "payment_intent_id": "pi-1", "reason": "Card declined."},
        [("ada", "payments", f"Payment failed: {T}")],  # the trainee found through the booking
    ),
    TrainingUpdated.TYPE: (
        {"training_id": "t-1", "changes": ["title"]},
        [(who, "trainings", f"Training changed: {T}") for who in ("ada", "bob", "cy")],  # not the cancelled seat
    ),
    TrainingReminderDue.TYPE: ({"training_id": "t-1"}, [("ada", "reminders", f"Tomorrow: {T}")]),
    CertificateIssued.TYPE: (
        {"certificate_id": "c-1", "booking_id": "b-ada", "training_id": "t-1", "trainee_id": "ada"},
        [("ada", "certificates", f"Your certificate: {T}")],
    ),
    ReviewPosted.TYPE: (REVIEW, [("curie", "reviews", f"New review: {T}")]),
    ReviewAnswered.TYPE: (REVIEW, [("ada", "reviews", f"Answer to your review: {T}")]),
    FollowUpMessagePosted.TYPE: (
        {**ASSESSMENT, "message_id": "m-1", "by": "trainee"},
        [("curie", "mentoring", f"A follow-up question: {T}")],
    ),
    FollowUpMessageReported.TYPE: (
        {**ASSESSMENT, "message_id": "m-1", "by": "expert", "reporter_id": "ada", "reason": "Rude."},
        [(admin, "admin", f"Follow-up message reported: {T}") for admin in ("root", "ops")],
    ),
    FollowUpMessageHidden.TYPE: (
        {**ASSESSMENT, "message_id": "m-1", "by": "expert", "admin_id": "root", "reason": "Rude."},
        [("curie", "mentoring", f"Your follow-up message was hidden: {T}")],
    ),
    AssessmentRecorded.TYPE: ({**ASSESSMENT, "revision": 1}, [("ada", "mentoring", f"Your expert's assessment: {T}")]),
    QuestionAsked.TYPE: (QUESTION, [("curie", "questions", f"New question: {T}")]),
    QuestionAnswered.TYPE: (QUESTION, [("bob", "questions", f"Your question was answered: {T}")]),
    QuestionReported.TYPE: (
        {**QUESTION, "reporter_id": "ada", "reason": "Insults the expert."},
        [(admin, "admin", f"Question reported: {T}") for admin in ("root", "ops")],
    ),
    QuestionHidden.TYPE: (
        {**QUESTION, "admin_id": "root", "reason": "Off topic."},
        [("bob", "questions", f"Your question was hidden: {T}")],
    ),
    ExpertVerificationRequested.TYPE: (
        CREDENTIALS,
        [(admin, "admin", "Credentials to check: Prof. Marie Curie") for admin in ("root", "ops")],
    ),
    ExpertVerified.TYPE: (CREDENTIALS, [("curie", "account", "Your credentials are verified")]),
    ExpertRejected.TYPE: (CREDENTIALS, [("curie", "account", "Your credentials could not be verified")]),
    ExpertVerificationWithdrawn.TYPE: (CREDENTIALS, [("curie", "account", "Your verification was withdrawn")]),
    DemoLinkRequested.TYPE: (DEMO, [("curie", "expert", f"A sponsor proposes a demo: {T}")]),
    DemoLinkAccepted.TYPE: (DEMO, [("jane", "sponsors", f"Demo accepted: {T}")]),
    DemoLinkDeclined.TYPE: (DEMO, [("jane", "sponsors", f"Demo declined: {T}")]),
    VouchersIssued.TYPE: (SPONSORSHIP, [("jane", "sponsors", f"Your sponsored seats: {T}")]),
    SponsorshipRefunded.TYPE: (SPONSORSHIP, [("jane", "sponsors", f"Sponsorship refunded: {T}")]),
    SponsorshipCancelled.TYPE: (SPONSORSHIP, [("jane", "sponsors", f"Sponsorship called off: {T}")]),
}


def _sources(**world: Any) -> FactSources:
    deps = _deps(**world)
    return FactSources(deps.users, deps.trainings, deps.bookings, deps.policy, deps.clock, deps.wordings)


def test_a_waitlist_notice_told_after_the_seat_came_is_not_sent() -> None:
    deps = _deps()
    _on_event(deps, _event(BookingWaitlisted.TYPE, **BOOKING, position=1))  # b-ada is confirmed by now
    assert deps.inbox.rows == {} and deps.outbox.rows == {}


def _notices(event: Event, **world: Any) -> list[Notification]:
    return list(notifications.notices_of(_sources(**world), event))


def _rows(notices: list[Notification]) -> list[tuple[str, str, str]]:
    return [(n.user_id, n.category, n.title) for n in notices]


@pytest.mark.parametrize("event_type", list(SAMPLES), ids=str)
def test_each_event_type_gives_its_notices_to_whom_it_concerns(event_type: str) -> None:
    data, expected = SAMPLES[event_type]
    notices = _notices(_event(event_type, **data))
    assert _rows(notices) == expected
    assert all(n.link and n.link.startswith(f"{BASE}/") for n in notices)


def test_every_event_type_the_worker_reads_is_in_the_table_or_silent_on_purpose() -> None:
    read = {kind.TYPE for kind in ALL_EVENTS if kind.TOPIC in notifications_worker.TOPICS}
    assert set(NOTICE_TABLE) | SILENT == read
    assert not set(NOTICE_TABLE) & SILENT
    assert set(notifications.HANDLERS) == set(NOTICE_TABLE) == set(SAMPLES)


def test_every_name_in_the_table_means_something() -> None:
    rows = [row for rows in NOTICE_TABLE.values() for row in rows]
    assert {row.kind for row in rows} == set(NOTICES)  # every notice is sent, none is missing its words
    assert set(typing.get_args(Audience)) == set(notifications.AUDIENCES)
    assert set(typing.get_args(Page)) == set(notifications.PAGES)
    assert set(typing.get_args(Condition)) == set(notifications.CONDITIONS)
    assert set(typing.get_args(Calendar)) == set(notifications.CALENDARS)


def test_a_revised_assessment_says_it_was_updated() -> None:
    revised = _notices(_event(AssessmentRecorded.TYPE, **ASSESSMENT, revision=2))
    assert _rows(revised) == [("ada", "mentoring", f"Your assessment was updated: {T}")]
    assert revised[0].link == f"{BASE}/me/portfolio"


def test_a_follow_up_message_tells_the_other_side_only() -> None:
    from_expert = _notices(_event(FollowUpMessagePosted.TYPE, **ASSESSMENT, message_id="m-2", by="expert"))
    assert _rows(from_expert) == [("ada", "mentoring", f"A message from your expert: {T}")]
    assert from_expert[0].link == f"{BASE}/bookings/b-ada/messages"


def test_a_promoted_hold_says_the_waitlist_freed_a_seat() -> None:
    promoted = _notices(_event(BookingHeld.TYPE, **BOOKING, **UNTIL, promoted=True))
    assert _rows(promoted) == [("ada", "waitlist", f"A seat freed up for you: {T}")]
    assert "Pay €120.00" in promoted[0].body and promoted[0].context["action_label"] == "Pay now"


def test_a_confirmation_carries_the_invitation_the_terms_and_tells_sponsor_and_expert() -> None:
    trainee, sponsor, expert = _notices(_event(BookingConfirmed.TYPE, **BOOKING, payment_intent_id="pi-1"))
    assert trainee.calendar is not None and trainee.calendar.method == "REQUEST"
    assert "at least 14 days before" in trainee.body
    assert trainee.link == f"{BASE}/bookings/b-ada"
    assert trainee.context["training"]["title"] == T
    assert "voucher SPONSOR-AB12" in sponsor.body and sponsor.link == f"{BASE}/sponsorships/sp-1"
    assert expert.body == f"Ada Lovelace booked and paid a seat on {T}." and expert.link == f"{BASE}/me/trainings/t-1"
    assert [n.calendar for n in (sponsor, expert)] == [None, None]
    unsponsored = _notices(_event(BookingConfirmed.TYPE, **BOOKING), sponsored=False)
    assert [n.user_id for n in unsponsored] == ["ada", "curie"]


@pytest.mark.parametrize(
    ("by", "was", "kind", "method"),
    [
        ("expert", "confirmed", "training.cancelled", "CANCEL"),
        ("trainee", "confirmed", "booking.cancelled", "CANCEL"),
        ("trainee", "held", "booking.cancelled", None),
    ],
)
def test_a_cancellation_says_who_cancelled_and_takes_a_confirmed_day_out_of_the_calendar(
    by: str, was: str, kind: str, method: str | None
) -> None:
    data = {**BOOKING, "reason": "Sorry.", "refund_amount": 9000, "by": by, "was": was}
    (notice,) = _notices(_event(BookingCancelled.TYPE, **data))
    assert notice.kind == kind and notice.body.endswith("\n\n€90.00 will be refunded to your card.")
    assert (notice.calendar.method if notice.calendar else None) == method


def test_an_announced_refund_goes_to_the_inbox_only() -> None:
    (announced,) = _notices(_event(PaymentRefunded.TYPE, **BOOKING, reason="cancelled", announced=True))
    (unannounced,) = _notices(_event(PaymentRefunded.TYPE, **BOOKING, reason="cancelled"))
    assert (announced.emailed, unannounced.emailed) == (False, True)


def test_a_training_change_is_told_only_when_it_matters_and_updates_confirmed_invitations() -> None:
    assert _notices(_event(TrainingUpdated.TYPE, training_id="t-1", changes=["price", "capacity"])) == []
    notices = _notices(_event(TrainingUpdated.TYPE, training_id="t-1", changes=["venue.city", "starts_at"]))
    assert {n.user_id: n.calendar.method if n.calendar else None for n in notices} == {
        "ada": "REQUEST",
        "bob": None,
        "cy": None,
    }
    assert "(starts at, venue)" in notices[0].body and notices[1].link == f"{BASE}/bookings/b-bob"


def test_without_its_training_a_notice_says_your_training_or_the_training_or_is_not_sent() -> None:
    certificate = {"certificate_id": "c-1", "booking_id": "b-ada", "training_id": "t-1", "trainee_id": "ada"}
    assert _rows(_notices(_event(CertificateIssued.TYPE, **certificate), training=False)) == [
        ("ada", "certificates", "Your certificate: your training")
    ]
    (vouchers,) = _notices(_event(VouchersIssued.TYPE, **SPONSORSHIP), training=False)
    assert vouchers.title == "Your sponsored seats: the training"
    assert vouchers.context == {"codes": SPONSORSHIP["codes"]}
    assert _notices(_event(DemoLinkAccepted.TYPE, **DEMO), training=False) == []
    booked = _notices(_event(BookingAwaitingApproval.TYPE, **BOOKING, **UNTIL), training=False)
    assert _rows(booked) == [("ada", "bookings", "Request sent: your training")]  # the expert is not known


def test_an_event_about_an_unknown_booking_fails_loudly() -> None:
    data = {"booking_id": "b-gone", "training_id": "t-1", "payment_intent_id": "pi-1", "reason": "Declined."}
    with pytest.raises(LookupError, match="No booking b-gone"):
        _notices(_event(PaymentFailed.TYPE, **data))


def test_delivery_is_once_per_person_and_event_with_unsubscribe_link_and_invitation() -> None:
    deps = _deps()
    event = _event(BookingConfirmed.TYPE, **BOOKING, payment_intent_id="pi-1")
    _on_event(deps, event)
    _on_event(deps, event)  # a redelivery adds nothing
    assert sorted(deps.inbox.rows) == sorted(deps.outbox.rows) == [f"{p}:{event.id}" for p in ("ada", "curie", "jane")]
    email = deps.outbox.rows[f"ada:{event.id}"]["email"]
    assert email.subject == f"Booking confirmed: {T}" and email.unsubscribe_url
    assert [a.filename for a in email.attachments] == ["invitation.ics"]
    assert deps.renderer.rendered[0][1]["action"]["url"].endswith("/bookings/b-ada")


def test_preferences_choose_the_channels_and_an_inbox_only_notice_is_never_emailed() -> None:
    deps = _deps()
    deps.preferences.set("ada", {"email": {"bookings": False}, "inbox": {"waitlist": False}})
    deps.preferences.set("cy", {"inbox": {"waitlist": False}})
    _on_event(deps, _event(BookingHeld.TYPE, **BOOKING, **UNTIL))
    _on_event(deps, _event(BookingWaitlisted.TYPE, **WAITING, position=1))
    assert [n["kind"] for n in deps.inbox.rows.values()] == ["booking.held"]
    assert [e.subject for e in deps.outbox.emails()] == [f"Waitlisted: {T}"]
    _on_event(deps, _event(BookingRequested.TYPE, **BOOKING))
    assert len(deps.outbox.rows) == 1 and f"ada:ev-{BookingRequested.TYPE}" in deps.inbox.rows


def test_the_facts_are_a_mapping_of_every_name_and_say_what_they_lack() -> None:
    facts = NoticeFacts(_sources(sponsored=False), _event(BookingHeld.TYPE, **BOOKING))
    assert len(facts) == len(list(facts)) and "title" in facts and facts["title"] == T
    english = facts.sources.wordings(None)
    assert facts["until"] == "" and venue_when(None, None, english) == "" and money(None, "EUR", english) == "the price"
    with pytest.raises(LookupError, match="No sponsorship paid booking b-ada"):
        _ = facts.sponsorship_id
    unknown = NoticeFacts(_sources(training=False), _event(BookingHeld.TYPE, **BOOKING))
    with pytest.raises(KeyError):
        _ = unknown["title"]


def test_without_its_training_or_its_trainee_there_is_no_one_to_tell_and_no_calendar_file() -> None:
    gone = _event(TrainingUpdated.TYPE, training_id="t-1", changes=["title"])
    assert _notices(gone, training=False) == []
    sources = _sources()
    tavi = sources.trainings.get("t-1")
    assert tavi is not None and calendar_file(sources, tavi, "b-x", "nobody", cancelled=False) is None


def test_question_notices_link_to_where_each_one_acts_and_say_the_reason() -> None:
    (asked,) = _notices(_event(QuestionAsked.TYPE, **QUESTION))
    (answered,) = _notices(_event(QuestionAnswered.TYPE, **QUESTION))
    reported = _notices(_event(QuestionReported.TYPE, **QUESTION, reporter_id="ada", reason="Spam <b>here</b>"))
    (hidden,) = _notices(_event(QuestionHidden.TYPE, **QUESTION, admin_id="root", reason="Off topic."))
    assert asked.link == f"{BASE}/me/trainings/t-1#questions" and asked.context == {"action_label": "Read and answer"}
    assert answered.link == hidden.link == f"{BASE}/trainings/t-1#questions"
    assert {n.link for n in reported} == {f"{BASE}/admin/questions"}
    assert reported[0].body.count("Spam <b>here</b>") == 1  # as typed: the e-mail's HTML part escapes it
    assert hidden.body.endswith("Reason: Off topic.") and all(n.emailed for n in (asked, answered, hidden))


def test_a_trainee_who_switched_question_emails_off_still_finds_the_answer_in_the_inbox() -> None:
    deps = _deps()
    deps.preferences.set("bob", {"email": {"questions": False}})
    _on_event(deps, _event(QuestionAnswered.TYPE, **QUESTION))
    assert [n["kind"] for n in deps.inbox.rows.values()] == ["question.answered"]
    assert deps.outbox.rows == {}
