"""The inbox, the preferences and the one-click unsubscribe."""

from __future__ import annotations

import pytest

from core.errors import NotFound, ValidationError
from core.ports import Notification
from core.services import inbox
from core.unsubscribe import token_for
from tests.fakes import fake_deps
from tests.unit import builders


def _note(user_id, event_id, category="bookings"):
    return Notification(user_id=user_id, event_id=event_id, kind="booking.confirmed", title="T", body="B",
                        category=category)  # fmt: skip


def test_my_notifications_lists_newest_first_with_the_unread_count():
    deps = fake_deps()
    me = builders.user(deps)
    deps.inbox.add(_note(me.id, "e1"), deps.clock())
    deps.inbox.add(_note(me.id, "e2"), deps.clock.advance(minutes=1))
    deps.inbox.add(_note("someone-else", "e3"), deps.clock())
    mine = inbox.my_notifications(deps, me, unread_only=False, limit=10)
    assert [n["event_id"] for n in mine["items"]] == ["e2", "e1"] and mine["unread"] == 2


def test_mark_read_counts_down_and_refuses_someone_elses():
    deps = fake_deps()
    me, other = builders.user(deps), builders.user(deps)
    deps.inbox.add(_note(me.id, "e1"), deps.clock())
    deps.inbox.add(_note(me.id, "e2"), deps.clock())
    deps.inbox.add(_note(other.id, "e3"), deps.clock())
    assert inbox.mark_read(deps, me, f"{me.id}:e1") == 1
    assert inbox.mark_read(deps, me, f"{me.id}:e1") == 1  # again: no change
    with pytest.raises(NotFound):
        inbox.mark_read(deps, me, f"{other.id}:e3")
    assert inbox.my_notifications(deps, me, unread_only=True, limit=10)["items"][0]["event_id"] == "e2"
    assert inbox.mark_all_read(deps, me) == 0
    assert deps.inbox.unread_count(other.id) == 1


def test_preferences_default_to_on_and_merge_changes():
    deps = fake_deps()
    me = builders.user(deps)
    assert all(all(cats.values()) for cats in inbox.my_preferences(deps, me).values())
    merged = inbox.set_preferences(deps, me, {"email": {"reminders": False}})
    assert merged["email"]["reminders"] is False and merged["email"]["bookings"] is True
    assert merged["inbox"]["reminders"] is True
    assert deps.preferences.get(me.id)["email"]["reminders"] is False


def test_unknown_channels_and_categories_are_refused_by_name_and_nothing_is_stored():
    deps = fake_deps()
    me = builders.user(deps)
    with pytest.raises(ValidationError) as refused:
        inbox.set_preferences(deps, me, {"sms": {"bookings": False}, "email": {"spam": False}})
    assert set(refused.value.errors) == {"sms", "email.spam"}
    assert deps.preferences.rows == {}


def test_an_unsubscribe_link_switches_off_its_category_for_its_person():
    deps = fake_deps()
    me = builders.user(deps)
    token = token_for(deps.policy.link_key, me.id, "reminders")
    person, category = inbox.unsubscribe(deps, token)
    assert (person.id, category) == (me.id, "reminders")
    assert deps.preferences.get(me.id)["email"]["reminders"] is False
    assert deps.preferences.get(me.id)["email"]["bookings"] is True


@pytest.mark.parametrize("make", [
    lambda key, uid: "garbage",
    lambda key, uid: token_for(b"another key", uid, "reminders"),
    lambda key, uid: token_for(key, uid, "no-such-category"),
    lambda key, uid: token_for(key, "gone", "reminders"),
])  # fmt: skip
def test_links_we_did_not_sign_or_whose_account_is_gone_are_not_found(make):
    deps = fake_deps()
    me = builders.user(deps)
    with pytest.raises(NotFound):
        inbox.unsubscription(deps, make(deps.policy.link_key, me.id))
