"""What people do with our e-mails: follow their links (each opens a web page, after signing in
where needed), unsubscribe in one click (RFC 8058), and take a cancelled day out of their calendar."""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import requests

from tests.support import Stack, csrf_of, text_of, wait_for

LINK = re.compile(r"https?://[^\s\"'<>)]+")


def _links(mail: EmailMessage) -> set[str]:
    """Every link in the text and HTML parts and the List-Unsubscribe header."""
    parts = [text_of(mail)]
    html = mail.get_body(preferencelist=("html",))
    if html is not None:
        parts.append(str(html.get_content()).replace("&amp;", "&"))
    found = {link.rstrip(".,;") for part in parts for link in LINK.findall(part)}
    return found | set(LINK.findall(mail.get("List-Unsubscribe", "")))


def _opens_a_page(base_url: str, link: str, email: str) -> requests.Response:
    """Follow ``link`` as its recipient would from a mail client: signed out, signing in if asked."""
    browser = requests.Session()
    first = browser.get(link, timeout=30)
    if urlsplit(first.url).path == "/login":  # sign in first, then back to the page
        signed = browser.post(first.url, data={"csrf": csrf_of(first.text), "email": email,
                                               "password": "correct horse battery"}, timeout=30)  # fmt: skip
        return signed
    return first


def _kinds(stack: Stack, user: dict) -> list[str]:
    return [n["kind"] for n in stack.api.call("GET", "/api/v1/me/notifications", user["token"]).json()["items"]]


def _mails(stack: Stack, user: dict, subject: str) -> list[EmailMessage]:
    return wait_for(lambda: [m for m in stack.mails_to(user["email"]) if subject in m["Subject"]],
                    what=f"'{subject}' to {user['email']}")  # fmt: skip


def _journey(stack: Stack) -> dict[str, dict[str, Any]]:
    """Trainees, an expert, a sponsor and an admin, each sent the e-mails of a busy week."""
    api = stack.api
    admin = api.admin()
    expert = api.expert()
    booker, waiting = api.user("trainee"), api.user("trainee")
    sponsor = api.user("sponsor", "Jane Doe")
    api.call("PATCH", "/api/v1/me", sponsor["token"], json={"company": "MedDevice SA"})
    training = api.published_training(expert, capacity=1)
    booking = stack.book(booker, training)
    stack.pay(booker, booking)
    stack.wait_status(booking, "confirmed")
    stack.wait_status(stack.book(waiting, training), "waitlisted")
    # A place on the waitlist is told when the worker has nothing urgent (workers/notifications.py),
    # and not at all once the seat came: it is read before the seat is freed.
    _mails(stack, waiting, "Waitlisted")
    demo = api.call("POST", "/api/v1/demos", sponsor["token"], json={"title": "Valve system X"}).json()
    api.call("POST", f"/api/v1/demos/{demo['id']}/trainings", sponsor["token"], json={"training_id": training["id"]})
    newcomer = api.user("expert")
    api.call(
        "POST",
        "/api/v1/me/credentials",
        newcomer["token"],
        json={"credentials": [{"kind": "diploma", "number": "1", "issuer": "University", "country": "FR"}]},
    )
    assert api.call("POST", f"/api/v1/bookings/{booking}/cancel", booker["token"]).status_code == 202
    for user, subject in ((booker, "Booking confirmed"), (booker, "Booking cancelled"), (waiting, "Waitlisted"),
                          (waiting, "A seat freed up"), (expert, "New booking"), (expert, "proposes a demo"),
                          (admin, "Credentials to check")):  # fmt: skip
        _mails(stack, user, subject)
    return {"booker": booker, "waiting": waiting, "expert": expert, "sponsor": sponsor, "admin": admin,
            "training": training, "booking": {"id": booking}}  # fmt: skip


def test_every_link_in_every_email_opens_a_web_page_after_signing_in(stack: Stack) -> None:
    people = _journey(stack)
    base = stack.api.base_url
    checked = 0
    for role in ("booker", "waiting", "expert", "admin"):
        person = people[role]
        mails = stack.mails_to(person["email"])
        assert mails, role
        for mail in mails:
            for link in _links(mail):
                assert link.startswith(base), link  # our links, and only to our pages
                assert "/api/" not in link, f"{mail['Subject']}: {link} is JSON, not a page"
                if "/unsubscribe/" in link:
                    continue  # signed links: tested below, and opening one must not need a session
                page = _opens_a_page(base, link, person["email"])
                assert page.status_code == 200, f"{mail['Subject']}: {link} -> {page.status_code}"
                assert page.headers["Content-Type"].startswith("text/html"), link
                assert urlsplit(page.url).path == urlsplit(link).path, f"back to the page: {page.url}"
                checked += 1
    assert checked >= 20  # the journey's e-mails link to bookings, trainings, desks and preferences


def test_one_click_unsubscribe_switches_one_category_off(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    training = api.published_training(expert, capacity=1)
    stack.wait_status(stack.book(trainee, training), "held")
    [held] = _mails(stack, trainee, "Seat held")
    assert held["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = held["List-Unsubscribe"]
    assert header.startswith("<") and header.endswith(">")
    link = header[1:-1]
    assert link in text_of(held)  # the same link in the body, for people

    prefs = "/api/v1/me/notification-preferences"
    browser = requests.Session()
    page = browser.get(link)  # a link scanner or a person opening it: nothing changes yet
    assert page.status_code == 200 and "Unsubscribe" in page.text
    assert api.call("GET", prefs, trainee["token"]).json()["email"]["bookings"] is True
    # The mail client's one-click POST (RFC 8058 3.2): no session, no CSRF token, just the signed link.
    clicked = requests.post(link, data={"List-Unsubscribe": "One-Click"})
    assert clicked.status_code == 200
    after = api.call("GET", prefs, trainee["token"]).json()
    assert after["email"]["bookings"] is False and after["inbox"]["bookings"] is True
    assert after["email"]["waitlist"] is True  # only the e-mail's own category
    forged = link[: link.rindex(".") + 1] + "AAAA"
    assert requests.post(forged, data={"List-Unsubscribe": "One-Click"}).status_code == 404

    # The web page of preferences puts it back on.
    web, _ = api.web_session(trainee["email"])
    form = web.get(f"{api.base_url}/me/notification-preferences")
    assert form.status_code == 200 and 'name="email.bookings"' in form.text and "checked" in form.text
    chosen = {f"{ch}.{cat}": "on" for ch in ("inbox", "email") for cat in after["email"]}
    chosen.pop("email.reminders")
    saved = web.post(f"{api.base_url}/me/notification-preferences", data={"csrf": csrf_of(form.text), **chosen})
    assert saved.status_code == 200 and "Saved" in saved.text
    final = api.call("GET", prefs, trainee["token"]).json()["email"]
    assert final["bookings"] is True and final["reminders"] is False


def _calendar(mail: EmailMessage) -> tuple[str, str]:
    [part] = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    content = part.get_content()
    return part.get_filename() or "", content.decode() if isinstance(content, bytes) else content


def _prop(ics: str, name: str) -> str:
    found = re.search(rf"^{name}:(.*)$", ics, re.MULTILINE)
    assert found, name
    return found.group(1).strip()


def test_a_cancelled_seat_or_training_takes_the_day_out_of_the_calendar(stack: Stack) -> None:
    api = stack.api
    expert, leaving, staying = api.expert(), api.user("trainee"), api.user("trainee")
    training = api.published_training(expert, capacity=2)
    bookings = {}
    for trainee in (leaving, staying):
        bookings[trainee["id"]] = booking = stack.book(trainee, training)
        stack.pay(trainee, booking)
        stack.wait_status(booking, "confirmed")

    assert api.call("POST", f"/api/v1/bookings/{bookings[leaving['id']]}/cancel", leaving["token"]).status_code == 202
    # (Applied before the expert cancels the day; otherwise the expert's cancellation takes it, refunds it
    # in full and says so, which is right too but not what this test looks at.)
    stack.wait_status(bookings[leaving["id"]], "cancelled")
    assert api.call("POST", f"/api/v1/trainings/{training['id']}/cancel", expert["token"],
                    json={"reason": "The OR is closed for works."}).status_code == 200  # fmt: skip
    for trainee, subject in ((leaving, "Booking cancelled"), (staying, "Training cancelled")):
        [invited] = _mails(stack, trainee, "Booking confirmed")
        [cancelled] = _mails(stack, trainee, subject)
        _, invitation = _calendar(invited)
        name, cancellation = _calendar(cancelled)
        assert name == "cancellation.ics"
        assert "method=CANCEL" in str(cancelled).replace('"', "")  # the part's Content-Type
        assert _prop(cancellation, "METHOD") == "CANCEL" and _prop(cancellation, "STATUS") == "CANCELLED"
        assert _prop(cancellation, "UID") == _prop(invitation, "UID") == f"{bookings[trainee['id']]}@marketplace.local"
        assert int(_prop(cancellation, "SEQUENCE")) > int(_prop(invitation, "SEQUENCE"))
        assert "calendar cancellation is attached" in " ".join(text_of(cancelled).split())
    # A seat that was never confirmed had no invitation, so its cancellation sends none either.
    waiting = api.user("trainee")
    other = api.published_training(expert, capacity=1)
    stack.wait_status(stack.book(staying, other), "held")
    queued = stack.book(waiting, other)
    stack.wait_status(queued, "waitlisted")
    assert api.call("POST", f"/api/v1/bookings/{queued}/cancel", waiting["token"]).status_code == 202
    [left] = _mails(stack, waiting, "Booking cancelled")
    assert list(left.iter_attachments()) == []


def test_experts_hear_of_demo_proposals_sponsors_of_the_answer_admins_of_credentials(stack: Stack) -> None:
    api = stack.api
    admin = api.admin()
    expert = api.expert()
    sponsor = api.user("sponsor", "Jane Doe")
    api.call("PATCH", "/api/v1/me", sponsor["token"], json={"company": "MedDevice SA"})
    training = api.published_training(expert)
    demo = api.call("POST", "/api/v1/demos", sponsor["token"], json={"title": "Valve system X"}).json()
    assert api.call("POST", f"/api/v1/demos/{demo['id']}/trainings", sponsor["token"],
                    json={"training_id": training["id"]}).status_code == 202  # fmt: skip
    [proposal] = _mails(stack, expert, "proposes a demo")
    assert "MedDevice SA" in text_of(proposal) and "Valve system X" in text_of(proposal)
    assert "demo.proposed" in _kinds(stack, expert)
    # From the e-mail's page the expert accepts it; the sponsor hears back.
    web, _ = api.web_session(expert["email"])
    page = web.get(f"{api.base_url}/me/trainings/{training['id']}")
    assert "Valve system X" in page.text
    accepted = web.post(f"{api.base_url}/me/trainings/{training['id']}/demos/{demo['id']}",
                        data={"csrf": csrf_of(page.text), "decision": "accept"})  # fmt: skip
    assert accepted.status_code == 200
    shown = api.call("GET", f"/api/v1/trainings/{training['id']}/demos").json()["items"]
    assert [d["id"] for d in shown] == [demo["id"]]
    [answer] = _mails(stack, sponsor, "Demo accepted")
    assert "Valve system X" in text_of(answer)

    newcomer = api.user("expert", "Dr Newcomer")
    submitted = api.call("POST", "/api/v1/me/credentials", newcomer["token"],
                         json={"credentials": [{"kind": "diploma", "number": "7", "issuer": "University",
                                                "country": "FR"}]})  # fmt: skip
    assert submitted.status_code == 202
    [desk] = _mails(stack, admin, "Credentials to check: Dr Newcomer")
    assert "submitted credentials" in text_of(desk) and f"{api.base_url}/admin/experts" in text_of(desk)


def test_an_admin_withdraws_a_verification_and_the_badge_goes_with_it(stack: Stack) -> None:
    api = stack.api
    admin, expert = api.admin(), api.expert()
    training = api.published_training(expert)
    assert api.call("GET", "/api/v1/trainings", params={"verified_only": "true"}).json()["total"] == 1
    draft = api.call("POST", "/api/v1/trainings", expert["token"], json={"title": "Another day"}).json()

    path = f"/api/v1/admin/experts/{expert['id']}/withdraw-verification"
    assert api.call("POST", path, expert["token"], json={"reason": "Licence lapsed."}).status_code == 403
    assert api.call("POST", path, admin["token"], json={}).status_code == 422  # the reason is required
    withdrawn = api.call("POST", path, admin["token"], json={"reason": "Licence lapsed in October."})
    assert withdrawn.status_code == 200 and withdrawn.json()["verification"] == "withdrawn"
    assert api.call("POST", path, admin["token"], json={"reason": "Again."}).status_code == 409

    assert api.call("GET", "/api/v1/trainings", params={"verified_only": "true"}).json()["total"] == 0
    assert api.call("GET", f"/api/v1/trainings/{training['id']}").json()["expert"]["verified"] is False
    assert api.call("GET", f"/api/v1/trainings/{training['id']}").json()["status"] == "published"  # seats kept
    refused = api.call("POST", f"/api/v1/trainings/{draft['id']}/publish", expert["token"])
    assert refused.status_code == 403
    [told] = _mails(stack, expert, "verification was withdrawn")
    assert "Licence lapsed in October." in text_of(told)
    assert "expert.verification_withdrawn" in _kinds(stack, expert)

    # Submitting again puts the expert back in the queue; verified again, the badge comes back.
    resubmitted = api.call("POST", "/api/v1/me/credentials", expert["token"],
                           json={"credentials": [{"kind": "medical_license", "number": "FR-2", "issuer": "Ordre",
                                                  "country": "FR"}]})  # fmt: skip
    assert resubmitted.status_code == 202 and resubmitted.json()["verification"] == "pending"
    assert api.call("POST", f"/api/v1/admin/experts/{expert['id']}/verify", admin["token"]).status_code == 200
    assert api.call("GET", "/api/v1/trainings", params={"verified_only": "true"}).json()["total"] == 1
