"""Accounts people control, over HTTP against the real stack: a password reset by e-mail that works once,
expires and tells nothing about unknown addresses; the address's verification, which alerts wait for;
the sessions one ends; the export of one's data; and closing an account without a trace of the person,
the books still whole."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
import requests

from core.errors import ValidationError
from core.services import passwords
from core.services.accounts import digest
from core.signed_links import nonce_hash, read_reset
from events import PasswordResetRequested
from events.types import topic_name
from tests.support import Stack, csrf_of, page_text, read_topic, text_of, wait_for

pytestmark = pytest.mark.workers("notifications")

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"
RESET_SUBJECT = "Reset your password"


def _login(stack: Stack, email: str, password: str = PASSWORD, agent: str = "pytest") -> Any:
    return stack.api.call("POST", "/api/v1/auth/login", json={"email": email, "password": password},
                          headers={"User-Agent": agent})  # fmt: skip


def _reset(stack: Stack, email: str) -> Any:
    return stack.api.call("POST", "/api/v1/auth/password-reset", json={"email": email})


def _confirm(stack: Stack, token: str, password: str = NEW_PASSWORD) -> Any:
    return stack.api.call("POST", "/api/v1/auth/password-reset/confirm", json={"token": token, "password": password})


def test_a_reset_answers_alike_for_every_address_and_its_link_works_once(stack: Stack) -> None:
    api = stack.api
    user = api.user("trainee")
    other_session = _login(stack, user["email"]).json()["access_token"]
    nobody = f"nobody-{uuid.uuid4().hex[:8]}@example.org"

    known, unknown = _reset(stack, user["email"]), _reset(stack, nobody)
    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content and "within an hour" in known.json()["message"]
    token = stack.link_in_mail(user["email"], RESET_SUBJECT, "reset-password")
    # No usable secret travelled: the event has a nonce, the database its hash, the link the signature.
    nonce = read_reset(stack.config.web_secret_key.encode(), token)
    assert nonce is not None and nonce not in token.split(".")[1]
    records = read_topic(stack.config, topic_name(stack.config.kafka_topic_prefix, "accounts"))
    asked = [r.value.decode() for r in records if PasswordResetRequested.TYPE.encode() in r.value]
    assert len(asked) == 1 and token not in asked[0] and token.split(".")[1] not in asked[0]
    assert stack.db.password_resets.count_documents({"_id": nonce_hash(nonce), "user_id": user["id"]}) == 1
    assert token not in json.dumps(list(stack.db.password_resets.find({}, {"_id": 0, "pending_events": 0})),
                                   default=str)  # fmt: skip

    short = _confirm(stack, token, "short")
    assert short.status_code == 422 and set(short.json()["errors"]) == {"password"}  # and the link still works
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert _confirm(stack, tampered).json()["errors"].keys() == {"token"}
    done = _confirm(stack, token)
    assert done.status_code == 200, done.text
    for old in (user["token"], other_session):
        assert api.call("GET", "/api/v1/me", old).status_code == 401
    assert _login(stack, user["email"]).status_code == 401
    assert _login(stack, user["email"], NEW_PASSWORD).status_code == 200
    again = _confirm(stack, token, "yet another passphrase")
    assert again.status_code == 422 and "token" in again.json()["errors"]
    assert _login(stack, user["email"], "yet another passphrase").status_code == 401

    # No e-mail for the address without an account (its owner's mail arrived in the meantime).
    assert stack.mails_to(nobody) == []

    # A reset revokes every other outstanding link of the account.
    assert _reset(stack, user["email"]).status_code == 202
    assert _reset(stack, user["email"]).status_code == 202
    first = stack.link_in_mail(user["email"], RESET_SUBJECT, "reset-password", count=2)
    second = stack.link_in_mail(user["email"], RESET_SUBJECT, "reset-password", count=3)
    assert _confirm(stack, second).status_code == 200
    assert _confirm(stack, first, "still another passphrase").json()["errors"].keys() == {"token"}

    # Rate-limited per address, alike whether it has an account (three an hour).
    limited = [_reset(stack, user["email"]), _reset(stack, nobody), _reset(stack, nobody), _reset(stack, nobody)]
    assert [r.status_code for r in limited] == [429, 202, 202, 429]
    assert limited[0].json()["message"] == limited[3].json()["message"]


def test_a_reset_link_expires_within_the_hour(stack: Stack) -> None:
    user = stack.api.user("trainee")
    assert _reset(stack, user["email"]).status_code == 202
    token = stack.link_in_mail(user["email"], RESET_SUBJECT, "reset-password")
    nonce = read_reset(stack.config.web_secret_key.encode(), token)
    assert nonce is not None
    stored = stack.db.password_resets.find_one({"_id": nonce_hash(nonce)})
    assert stored["expires_at"] - stored["created_at"] <= timedelta(hours=1)

    an_hour_later = dataclasses.replace(stack.deps, clock=lambda: stored["expires_at"] + timedelta(seconds=1))
    with pytest.raises(ValidationError) as expired:
        passwords.confirm_reset(an_hour_later, token, NEW_PASSWORD)
    assert set(expired.value.errors) == {"token"}
    # Refused for its age only: the same link, before its hour is over, still works (once).
    assert _confirm(stack, token).status_code == 200


def test_the_account_e_mails_are_in_the_reader_s_language(stack: Stack) -> None:
    api = stack.api
    lucie = api.user("trainee", "Lucie Fontaine")
    assert api.call("PATCH", "/api/v1/me", lucie["token"], json={"locale": "fr"}).status_code == 200
    assert _reset(stack, lucie["email"]).status_code == 202
    token = stack.link_in_mail(lucie["email"], "Réinitialisez votre mot de passe", "reset-password")
    [mail] = [m for m in stack.mails_to(lucie["email"]) if m["Subject"] == "Réinitialisez votre mot de passe"]
    assert "il fonctionne une fois" in text_of(mail) and "Choisir un nouveau mot de passe" in text_of(mail)
    assert api.call("POST", "/api/v1/me/email-verification", lucie["token"]).status_code == 202
    stack.link_in_mail(lucie["email"], "Confirmez votre adresse e-mail", "verify-email")
    assert _confirm(stack, token).status_code == 200


def _alert_mails(stack: Stack, who: dict[str, Any]) -> int:
    return int(stack.db.outbox.count_documents({"user_id": who["id"], "_id": {"$regex": ":alert:"}}))


def test_the_address_is_verified_by_its_link_and_alerts_wait_for_it(stack: Stack) -> None:
    api = stack.api
    anna = api.user("trainee", "Anna Lindqvist")
    assert api.call("GET", "/api/v1/me", anna["token"]).json()["email_verified_at"] is None
    token = stack.link_in_mail(anna["email"], "Confirm your e-mail address", "verify-email")
    made = api.call("POST", "/api/v1/me/alerts", anna["token"], json={"filters": {"technique": "TAVI"}})
    assert made.status_code == 201, made.text

    expert = api.expert("Dr Ines Moreau")
    first = api.published_training(expert, title="TAVI, first session")
    wait_for(lambda: [n for n in api.call("GET", "/api/v1/me/notifications", anna["token"]).json()["items"]
                      if n["kind"] == "alert.matched"], what="the alert in the inbox")  # fmt: skip
    assert _alert_mails(stack, anna) == 0  # unverified: the inbox has it, e-mail does not

    body, mac = token.split(".")
    forged = api.call("POST", "/api/v1/auth/verify-email", json={"token": f"{body}x.{mac}"})
    assert forged.status_code == 422 and set(forged.json()["errors"]) == {"token"}
    page = api.call("GET", f"/verify-email/{body}.{mac[::-1]}")
    assert page.status_code == 422
    verified = api.call("POST", "/api/v1/auth/verify-email", json={"token": token})
    assert verified.status_code == 200 and verified.json()["email_verified_at"] is not None
    assert api.call("GET", f"/verify-email/{token}").status_code == 200  # opening it again changes nothing

    api.published_training(expert, title="TAVI, second session")
    wait_for(lambda: _alert_mails(stack, anna) == 1, what="the alert e-mailed, now the address is verified")
    assert first["id"] not in str(list(stack.db.outbox.find({"user_id": anna["id"], "_id": {"$regex": ":alert:"}})))
    assert api.call("POST", "/api/v1/me/email-verification", anna["token"]).status_code == 409

    ben = api.user("trainee", "Ben Okafor")
    assert api.call("POST", "/api/v1/me/email-verification", ben["token"]).status_code == 202
    again = stack.link_in_mail(ben["email"], "Confirm your e-mail address", "verify-email", count=2)
    assert api.call("POST", "/api/v1/auth/verify-email", json={"token": again}).status_code == 200


def test_sessions_are_listed_and_ended_one_by_one_and_a_password_change_ends_the_others(stack: Stack) -> None:
    api = stack.api
    user, stranger = api.user("trainee"), api.user("trainee")
    phone = _login(stack, user["email"], agent="Phone browser").json()["access_token"]
    laptop = _login(stack, user["email"], agent="Laptop browser").json()["access_token"]

    listed = api.call("GET", "/api/v1/me/sessions", laptop)
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert len(items) == 3 and [i["current"] for i in items].count(True) == 1
    assert next(i for i in items if i["current"])["user_agent"] == "Laptop browser"
    for secret in (user["token"], phone, laptop, digest(phone), digest(laptop)):
        assert secret not in listed.text
    phone_id = next(i["id"] for i in items if i["user_agent"] == "Phone browser")

    assert api.call("DELETE", f"/api/v1/me/sessions/{phone_id}", stranger["token"]).status_code == 404
    assert api.call("DELETE", f"/api/v1/me/sessions/{phone_id}", laptop).status_code == 204
    assert api.call("GET", "/api/v1/me", phone).status_code == 401
    assert api.call("DELETE", f"/api/v1/me/sessions/{phone_id}", laptop).status_code == 404
    assert len(api.call("GET", "/api/v1/me/sessions", laptop).json()["items"]) == 2

    wrong = api.call("POST", "/api/v1/me/password", laptop,
                     json={"current_password": "not it at all", "new_password": NEW_PASSWORD})  # fmt: skip
    assert wrong.status_code == 403 and set(wrong.json()["errors"]) == {"current_password"}
    weak = api.call("POST", "/api/v1/me/password", laptop, json={"current_password": PASSWORD, "new_password": "x"})
    assert weak.status_code == 422 and set(weak.json()["errors"]) == {"new_password"}
    changed = api.call("POST", "/api/v1/me/password", laptop,
                       json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})  # fmt: skip
    assert changed.status_code == 200 and changed.json() == {"sessions_ended": 1}
    assert api.call("GET", "/api/v1/me", user["token"]).status_code == 401
    assert api.call("GET", "/api/v1/me", laptop).status_code == 200  # this one stays
    assert _login(stack, user["email"], NEW_PASSWORD).status_code == 200


@pytest.mark.workers("capacity", "payments", "notifications")
def test_the_export_holds_my_data_and_no_secret(stack: Stack) -> None:
    api = stack.api
    expert = api.expert("Dr Export Expert")
    me = api.user("trainee", "Nora Exportson")
    training = api.published_training(expert)
    booking = stack.book(me, training)
    stack.pay(me, booking)
    stack.wait_status(booking, "confirmed")
    wait_for(lambda: stack.db.ledger.count_documents({"reference": booking}), what="the charge in the ledger")
    api.call("PUT", "/api/v1/me/goals", me["token"], json={"techniques": ["TAVI"]})
    api.call("POST", "/api/v1/me/alerts", me["token"], json={"filters": {"technique": "PCNL"}, "name": "PCNL"})
    api.call("PUT", "/api/v1/me/notification-preferences", me["token"], json={"email": {"reminders": False}})

    exported = api.call("GET", "/api/v1/me/export", me["token"])
    assert exported.status_code == 200
    assert exported.headers["Content-Disposition"].startswith("attachment;")
    data = exported.json()
    assert data["profile"]["email"] == me["email"] and data["profile"]["name"] == "Nora Exportson"
    assert [b["_id"] for b in data["bookings"]] == [booking]
    assert [e["kind"] for e in data["payments"]] == ["charge"] and data["payments"][0]["reference"] == booking
    assert data["goals"][0]["techniques"] == ["TAVI"] and data["alerts"][0]["name"] == "PCNL"
    assert data["notification_preferences"][0]["email"]["reminders"] is False
    assert {n["kind"] for n in data["inbox"]} >= {"booking.confirmed"}
    assert [s["current"] for s in data["sessions"]] == [True]
    stored = stack.db.users.find_one({"_id": me["id"]})
    for secret in (me["token"], digest(me["token"]), stored["password_hash"], "client_secret", "pending_events",
                   expert["email"]):  # fmt: skip
        assert secret not in exported.text, secret


def _every_document_as_text(stack: Stack) -> dict[str, str]:
    db = stack.db
    return {name: json.dumps(list(db[name].find()), default=str, ensure_ascii=False)
            for name in db.list_collection_names()}  # fmt: skip


@pytest.mark.workers("capacity", "payments", "notifications", "certificates")
def test_closing_an_account_leaves_no_trace_of_the_person_and_the_ledger_reconciles(stack: Stack) -> None:
    api = stack.api
    name = "Aurélie Vasseur-Kowalczyk"
    expert = api.expert("Dr Closing Expert")
    me = api.user("trainee", name)
    email = me["email"]
    stack.verify_address(me)
    # A past training: attended, reviewed, a certificate, a question, a follow-up message.
    past, held = stack.held_training(expert, [me], title="Mitral repair for fellows")
    wait_for(lambda: stack.db.certificates.count_documents({"trainee_id": me["id"]}), what="the certificate")
    review = api.call("POST", f"/api/v1/trainings/{past['id']}/reviews", me["token"],
                      json={"rating": 5, "text": f"Superb day. {name} recommends it."})  # fmt: skip
    assert review.status_code == 201, review.text
    message = api.call("POST", f"/api/v1/bookings/{held[me['id']]}/messages", me["token"],
                       json={"text": "Thank you for the day!"})  # fmt: skip
    assert message.status_code == 201, message.text
    # An upcoming one, confirmed and paid: cancelled under its terms (a full refund, weeks ahead).
    upcoming = api.published_training(expert, title="TAVI masterclass")
    booking = stack.book(me, upcoming)
    stack.pay(me, booking)
    stack.wait_status(booking, "confirmed")
    asked = api.call("POST", f"/api/v1/trainings/{upcoming['id']}/questions", me["token"],
                     json={"text": "Is a loupe needed on the day?"})  # fmt: skip
    assert asked.status_code == 201, asked.text
    api.call("PUT", "/api/v1/me/goals", me["token"], json={"techniques": ["TAVI"]})
    api.call("POST", "/api/v1/me/alerts", me["token"], json={"filters": {"technique": "TAVI"}})
    wait_for(lambda: [m for m in stack.mails_to(email) if m["Subject"].startswith("Booking confirmed")],
             what="the confirmation e-mail")  # fmt: skip
    assert name in _every_document_as_text(stack)["users"]

    wrong = api.call("DELETE", "/api/v1/me", me["token"], json={"password": "not my password"})
    assert wrong.status_code == 403 and set(wrong.json()["errors"]) == {"password"}
    closed = api.call("DELETE", "/api/v1/me", me["token"], json={"password": PASSWORD})
    assert closed.status_code == 200, closed.text
    assert closed.json() == {"closed": True, "bookings_cancelled": 1}
    assert api.call("GET", "/api/v1/me", me["token"]).status_code == 401
    assert _login(stack, email).status_code == 401

    stack.wait_status(booking, "cancelled")
    wait_for(lambda: stack.db.ledger.count_documents({"reference": booking, "kind": "refund"}),
             what="the refund in the ledger")  # fmt: skip
    assert (stack.booking(booking) or {})["payment"].get("refunded_amount")

    def traces() -> dict[str, list[str]]:
        found = {}
        for collection, text in _every_document_as_text(stack).items():
            hits = [t for t in (name, email, email.split("@")[0]) if t.lower() in text.lower()]
            if hits:
                found[collection] = hits
        return found

    # The workers' reactions to the cancellation (notices, the refund) came after: look again once they
    # are all done, so that nothing written late escapes the scan.
    wait_for(lambda: stack.db.outbox.count_documents({"status": "queued"}) == 0, what="the e-mail outbox drained")
    assert traces() == {}
    assert stack.db.reviews.find_one({"trainee_id": me["id"]})["text"] == "Superb day. A former member recommends it."
    kept = stack.db.follow_ups.find_one({"author_id": me["id"]})
    assert kept is not None and kept["text"] == "Thank you for the day!"
    assert stack.db.ledger.count_documents({"reference": {"$in": [booking, held[me["id"]]]}}) == 3

    from api import create_app  # the operators' command, as in the ledger tests

    start = min(e["at"] for e in stack.db.ledger.find({"reference": {"$in": [booking, held[me["id"]]]}}))
    report = (
        create_app(stack.config)
        .test_cli_runner()
        .invoke(args=["reconcile", "--from", (start - timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%S"), "--json"])
    )
    assert report.exit_code in (0, 1), report.output  # 1: differences, maybe of other tests sharing this Stripe
    lines = [json.loads(line) for line in report.output.splitlines() if line.startswith("{")]
    ours = [d for d in lines if d.get("object_id") in _intents(stack, booking, held[me["id"]])]
    assert ours == [], report.output


def _intents(stack: Stack, *booking_ids: str) -> set[str]:
    """The PaymentIntents and refunds of these bookings, as the bookings (not the ledger) have them."""
    found: set[str] = set()
    for booking_id in booking_ids:
        payment = (stack.booking(booking_id) or {})["payment"]
        found |= {payment["intent_id"], *([payment["refund_id"]] if payment.get("refund_id") else [])}
    assert len(found) == 3, found  # two charges and one refund
    return found


def test_the_last_admin_cannot_close_their_account(stack: Stack) -> None:
    admin = stack.api.admin()
    refused = stack.api.call("DELETE", "/api/v1/me", admin["token"], json={"password": PASSWORD})
    assert refused.status_code == 409 and "last admin" in refused.json()["message"]
    assert re.search("password", json.dumps(refused.json()["errors"]))


def test_the_web_pages_reset_a_password_end_a_session_export_and_close_the_account(stack: Stack) -> None:
    api, base = stack.api, stack.api.base_url
    user = api.user("trainee", "Wen Page")
    browser = requests.Session()
    sign_in = browser.get(f"{base}/login").text
    assert 'href="/forgot-password"' in sign_in and "Forgot your password?" in sign_in
    form = browser.get(f"{base}/forgot-password")
    assert '<label for="email">' in form.text
    sent = browser.post(f"{base}/forgot-password", data={"csrf": csrf_of(form.text), "email": user["email"]})
    nobody = browser.post(f"{base}/forgot-password", data={"csrf": csrf_of(form.text), "email": "no@example.org"})
    assert sent.status_code == nobody.status_code == 200
    assert page_text(sent.text).replace(user["email"], "X") == page_text(nobody.text).replace("no@example.org", "X")
    token = stack.link_in_mail(user["email"], RESET_SUBJECT, "reset-password")
    page = browser.get(f"{base}/reset-password/{token}")
    assert '<label for="password">' in page.text
    weak = browser.post(f"{base}/reset-password/{token}", data={"csrf": csrf_of(page.text), "password": "short"})
    assert weak.status_code == 422 and 'id="password-error"' in weak.text
    done = browser.post(f"{base}/reset-password/{token}", data={"csrf": csrf_of(page.text), "password": NEW_PASSWORD})
    assert done.status_code == 200 and 'id="reset-done"' in done.text
    fresh = csrf_of(browser.get(f"{base}/reset-password/{token}").text)  # the reset signed this browser out
    used = browser.post(f"{base}/reset-password/{token}", data={"csrf": fresh, "password": NEW_PASSWORD})
    assert used.status_code == 422 and 'id="token-error"' in used.text

    phone = _login(stack, user["email"], NEW_PASSWORD, agent="Phone browser").json()["access_token"]
    web = requests.Session()
    login_page = web.get(f"{base}/login")
    web.post(f"{base}/login", data={"csrf": csrf_of(login_page.text), "email": user["email"], "password": NEW_PASSWORD})
    account = web.get(f"{base}/me/account")
    assert account.status_code == 200 and "(this one)" in account.text and "Phone browser" in account.text
    assert phone not in account.text and digest(phone) not in account.text
    phone_id = re.search(r'<tr data-session="([^"]+)">\s*<td>[^<]*</td>\s*<td>Phone browser', account.text)
    assert phone_id, account.text
    ended = web.post(f"{base}/me/account/sessions/{phone_id.group(1)}/end", data={"csrf": csrf_of(account.text)})
    assert ended.status_code == 200 and "That session is signed out." in ended.text
    assert api.call("GET", "/api/v1/me", phone).status_code == 401

    wrong = web.post(f"{base}/me/account/password", data={"csrf": csrf_of(account.text),
                     "current_password": "not it", "new_password": "whatever it is now"})  # fmt: skip
    assert wrong.status_code == 403 and 'id="current_password-error"' in wrong.text
    exported = web.get(f"{base}/me/account/my-data.json")
    assert exported.headers["Content-Disposition"].startswith("attachment;")
    assert exported.json()["profile"]["email"] == user["email"]

    close = web.get(f"{base}/me/account/close")
    assert "What is kept, and why" in close.text and "accounting law" in close.text
    refused = web.post(f"{base}/me/account/close", data={"csrf": csrf_of(close.text), "password": "not mine"})
    assert refused.status_code == 403 and 'id="password-error"' in refused.text
    closed = web.post(f"{base}/me/account/close", data={"csrf": csrf_of(close.text), "password": NEW_PASSWORD})
    assert closed.status_code == 200 and 'id="account-closed"' in closed.text
    assert stack.db.users.find_one({"_id": user["id"]})["name"] == "A former member"
