"""Delivery per the person's choices, the outbox e-mail, and the announcing of waiting events."""

from __future__ import annotations

from datetime import timedelta

from core.ports import CalendarFile, Notification
from core.services import announce, delivery
from events import UserRegistered
from events.envelope import Event, derived_id
from tests.fakes import fake_deps
from tests.unit import builders


def _note(user_id, **kw):
    base = {"user_id": user_id, "event_id": "ev1", "kind": "booking.confirmed", "title": "Confirmed",
            "body": "See you there", "link": "http://x/b/1", "context": {"action_label": "Open"}}  # fmt: skip
    return Notification(**{**base, **kw})


def _deliver(deps, note):
    """``deliver`` through the ports the notifications handler hands it."""
    channels = delivery.Channels(deps.inbox, deps.outbox, deps.preferences, deps.users, deps.renderer,
                                 deps.policy, deps.clock)  # fmt: skip
    delivery.deliver(channels, note)


def test_a_notification_lands_in_the_inbox_and_its_email_is_queued_once():
    deps = fake_deps()
    me = builders.user(deps)
    calendar = CalendarFile("REQUEST", "BEGIN:VCALENDAR")
    _deliver(deps, _note(me.id, calendar=calendar))
    _deliver(deps, _note(me.id, calendar=calendar))
    assert deps.inbox.unread_count(me.id) == 1
    [email] = deps.outbox.emails()
    assert email.to == me.email and email.message_id == derived_id("ev1", f"email/{me.id}")
    assert email.attachments[0].filename == "invitation.ics" and "/unsubscribe/" in email.unsubscribe_url
    kind, context = deps.renderer.rendered[0]
    assert context["action"] == {"url": "http://x/b/1", "label": "Open"} and context["has_invitation"]


def test_switched_off_channels_and_inbox_only_notices_queue_nothing():
    deps = fake_deps()
    me = builders.user(deps)
    deps.preferences.set(me.id, {"email": {"bookings": False}, "inbox": {"bookings": False}})
    _deliver(deps, _note(me.id))
    assert deps.inbox.rows == {} and deps.outbox.rows == {}
    other = builders.user(deps)
    _deliver(deps, _note(other.id, emailed=False))
    assert deps.inbox.unread_count(other.id) == 1 and deps.outbox.rows == {}
    _deliver(deps, _note("gone"))
    assert deps.outbox.rows == {}


def test_due_emails_are_sent_and_failures_back_off():
    deps = fake_deps()
    me, bad = builders.user(deps), builders.user(deps)
    _deliver(deps, _note(me.id))
    _deliver(deps, _note(bad.id))
    deps.mailer.refuse.add(bad.email)
    assert delivery.send_due_emails(deps) == 1
    assert [e.to for e in deps.mailer.sent] == [me.email]
    row = deps.outbox.rows[f"{bad.id}:ev1"]
    assert row["status"] == "queued" and row["due_at"] == deps.clock() + delivery.RETRY_BASE
    deps.mailer.down = True
    deps.clock.advance(seconds=31)
    assert delivery.send_due_emails(deps) == 0 and deps.outbox.rows[f"{bad.id}:ev1"]["attempts"] == 2


def test_announce_sends_waiting_events_and_the_relay_picks_up_what_the_broker_refused():
    deps = fake_deps()
    waiting = Event(type=UserRegistered.TYPE, subject="u1", key="u1", data={})
    deps.pending_events.keep("users", "u1", waiting)
    deps.publisher.down = True
    announce.announce(deps, "users", "u1")  # logged, kept
    assert deps.pending_events.count() == 1
    deps.publisher.down = False
    assert announce.relay_pending(deps) == 0  # within the grace the API's own sending has
    deps.clock.now = deps.clock() + timedelta(minutes=1)
    assert announce.relay_pending(deps) == 1 and deps.publisher.published == [waiting]
    assert deps.pending_events.count() == 0
