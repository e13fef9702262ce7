"""Accounts people control, on the fakes: signed links, a reset that works once and tells nothing,
a password change, and closing an account in the right order (the person is told nothing more before
their bookings are cancelled, and nothing is closed if the broker refuses the cancellations)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import Conflict, Forbidden, PublishFailed, ValidationError
from core.model import Role
from core.services import closure, email_verification, passwords
from core.services.accounts import digest, start_session
from core.services.email_verification import link_token
from core.signed_links import nonce_hash, read_reset, read_verification, reset_token, verification_token
from events import BookingCancellationRequested, PasswordResetRequested
from tests.fakes import fake_deps
from tests.unit import builders

KEY = b"test-link-key"


def test_a_signed_link_is_refused_once_changed_or_signed_for_another_purpose() -> None:
    now = fake_deps().clock()
    token = verification_token(KEY, "u1", "ann@example.org", now)
    proof = read_verification(KEY, token)
    assert proof is not None and (proof.user_id, proof.email) == ("u1", "ann@example.org")
    body, mac = token.split(".")
    assert read_verification(KEY, f"{body}A.{mac}") is None
    assert read_verification(b"another key", token) is None
    assert read_reset(KEY, token) is None  # a verification link is no reset link
    reset = reset_token(KEY, "n0nce")
    assert read_reset(KEY, reset) == "n0nce" and read_verification(KEY, reset) is None
    assert nonce_hash("n0nce") != "n0nce" and "n0nce" not in nonce_hash("n0nce")


def _reset(deps, email: str) -> str:
    """Ask for a reset; the token the e-mail would carry (signed from the event's nonce)."""
    passwords.request_reset(deps, email, "10.0.0.1")
    [asked] = [e for e in deps.password_resets_events if e.type == PasswordResetRequested.TYPE]
    deps.password_resets_events.clear()
    return reset_token(deps.policy.link_key, asked.data["nonce"])


@pytest.fixture
def deps():
    made = fake_deps()
    made.password_resets_events = []  # type: ignore[attr-defined]
    original = made.password_resets.add

    def add(nonce_hash, user_id, expires_at, at, announcing=None):  # noqa: ANN001, ANN202 - a spy
        if announcing is not None:
            made.password_resets_events.append(announcing)  # type: ignore[attr-defined]
        original(nonce_hash, user_id, expires_at, at, announcing)

    made.password_resets.add = add  # type: ignore[method-assign]
    return made


def test_a_reset_stores_the_same_record_for_every_address_and_announces_only_an_account(deps) -> None:
    ann = builders.user(deps, name="Ann")
    assert passwords.request_reset(deps, "nobody@example.org", "10.0.0.1") is None
    assert passwords.request_reset(deps, ann.email.upper(), "10.0.0.1") is not None
    rows = list(deps.password_resets.rows.values())
    assert [r["user_id"] for r in rows] == [None, ann.id]  # one record each: the same work for both
    assert len(deps.password_resets_events) == 1 and deps.password_resets_events[0].data["user_id"] == ann.id


def test_a_reset_link_works_once_before_its_hour_and_signs_every_session_out(deps) -> None:
    ann = builders.user(deps, name="Ann", email_verified_at=None)
    session = start_session(deps, ann)
    token = _reset(deps, ann.email)
    with pytest.raises(ValidationError) as tampered:
        passwords.confirm_reset(deps, token[:-2] + "xx", "a new long password")
    assert set(tampered.value.errors) == {"token"}
    changed = passwords.confirm_reset(deps, token, "a new long password")
    assert deps.hasher.verify(changed.password_hash, "a new long password")
    assert changed.email_verified_at is not None  # the link reached the mailbox
    assert deps.sessions.user_id_for(digest(session), deps.clock()) is None
    with pytest.raises(ValidationError):
        passwords.confirm_reset(deps, token, "another long password")

    later = _reset(deps, ann.email)
    deps.clock.advance(seconds=deps.policy.password_reset_ttl_seconds + 1)
    with pytest.raises(ValidationError) as expired:
        passwords.confirm_reset(deps, later, "another long password")
    assert set(expired.value.errors) == {"token"}


def test_a_reset_voids_the_other_links_and_a_password_change_keeps_only_this_session(deps) -> None:
    ann = builders.user(deps, name="Ann")  # password: "pw"
    first, second = _reset(deps, ann.email), _reset(deps, ann.email)
    passwords.confirm_reset(deps, second, "a new long password")
    with pytest.raises(ValidationError):
        passwords.confirm_reset(deps, first, "another long password")

    ann = deps.users.get(ann.id)
    here, elsewhere = start_session(deps, ann), start_session(deps, ann)
    with pytest.raises(Forbidden) as wrong:
        passwords.change_password(deps, ann, "not it", "a third long password", here)
    assert set(wrong.value.errors) == {"current_password"}
    assert passwords.change_password(deps, ann, "a new long password", "a third long password", here) == 1
    assert deps.sessions.user_id_for(digest(here), deps.clock()) == ann.id
    assert deps.sessions.user_id_for(digest(elsewhere), deps.clock()) is None


def test_an_address_is_verified_by_a_fresh_link_of_its_own_only(deps) -> None:
    ann = builders.user(deps, name="Ann", email_verified_at=None)
    token = link_token(deps.policy, ann, deps.clock())
    deps.users.update(ann.id, {"email": "new@example.org"})
    with pytest.raises(ValidationError):
        email_verification.verify_address(deps, token)  # for the old address
    deps.users.update(ann.id, {"email": ann.email})
    deps.clock.advance(seconds=deps.policy.email_verification_ttl_seconds + 1)
    with pytest.raises(ValidationError):
        email_verification.verify_address(deps, token)  # too old
    fresh = link_token(deps.policy, ann, deps.clock())
    assert email_verification.verify_address(deps, fresh).email_verified_at == deps.clock()
    with pytest.raises(Conflict):
        email_verification.ask_again(deps, deps.users.get(ann.id))


def test_closing_cancels_open_bookings_after_the_person_is_told_nothing_more(deps) -> None:
    expert = builders.user(deps, Role.EXPERT)
    ann = builders.user(deps, name="Ann")  # password: "pw"
    booking = builders.booking(deps, builders.training(deps, expert), ann)
    with pytest.raises(Forbidden) as wrong:
        closure.close_account(deps, ann, "not it")
    assert set(wrong.value.errors) == {"password"} and deps.personal_data.erased == []

    deps.publisher.down = True
    with pytest.raises(PublishFailed):
        closure.close_account(deps, ann, "pw")
    assert deps.users.get(ann.id).closed_at is None and deps.personal_data.erased == []  # nothing closed

    deps.publisher.down = False
    seen_closed = []
    publish = deps.publisher.publish
    deps.publisher.publish = lambda e: (seen_closed.append(deps.users.get(ann.id).closed_at is not None), publish(e))
    done = closure.close_account(deps, ann, "pw")
    assert done["bookings_cancelled"] == 1 and seen_closed[0] is True  # closing before the cancellation
    [asked] = [e for e in deps.publisher.published if e.type == BookingCancellationRequested.TYPE]
    assert asked.data["booking_id"] == booking.id
    assert deps.personal_data.erased == [ann.id] and deps.users.get(ann.id).closed_at is not None


def test_the_last_admin_keeps_their_account_and_another_admin_may_close_theirs(deps) -> None:
    first = builders.user(deps, Role.ADMIN)  # password: "pw"
    with pytest.raises(Conflict):
        closure.close_account(deps, first, "pw")
    builders.user(deps, Role.ADMIN)
    assert closure.close_account(deps, first, "pw")["bookings_cancelled"] == 0
    assert deps.clock() - deps.users.get(first.id).closed_at < timedelta(seconds=1)
