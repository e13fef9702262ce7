"""Certificates of attendance: issued to present trainees only, saying the right things, verifiable
by anyone, and no code that we did not sign verifies."""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import requests
from pypdf import PdfReader

from core.certificates import normalize_code, sign
from core.handlers import inject
from core.handlers.certificates import issue_certificates
from events import TrainingCompleted
from events.codec import decode
from events.types import topic_name
from tests.support import Stack, local_day, read_topic, text_of, wait_for


def _completed_event(stack: Stack, training_id: str) -> Any:
    topic = topic_name(stack.config.kafka_topic_prefix, "trainings")
    events = [decode(r.value) for r in read_topic(stack.config, topic)]
    return next(e for e in events if e.type == TrainingCompleted.TYPE and e.subject == training_id)


def _verify(stack: Stack, code: str) -> dict[str, Any]:
    response = stack.api.call("GET", f"/api/v1/certificates/verify/{requests.utils.quote(code)}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_present_trainees_get_a_certificate_that_says_who_what_where_and_when(stack: Stack) -> None:
    api = stack.api
    expert = api.expert("Élise Martin")
    titled = api.call("PATCH", "/api/v1/me", expert["token"], json={"title": "Professor of cardiac surgery"})
    assert titled.status_code == 200, titled.text
    present, absent = api.user("trainee", "Łukasz Żurawski"), api.user("trainee", "Anna Absent")
    training, bookings = stack.held_training(expert, [present], (absent,), cme_credits=7.5)

    mine = wait_for(lambda: api.call("GET", "/api/v1/me/certificates", present["token"]).json()["items"] or None,
                    what="the present trainee's certificate")  # fmt: skip
    completed = _completed_event(stack, training["id"])
    wait_for(lambda: stack.deps.processed.seen("certificates", completed.id), what="the completion handled")
    assert api.call("GET", "/api/v1/me/certificates", absent["token"]).json()["items"] == []
    assert stack.db.certificates.count_documents({}) == 1
    [certificate] = mine
    assert certificate["booking_id"] == bookings[present["id"]]
    day = local_day(training["starts_at"], training["timezone"])  # the venue's day: 08:00 to 17:00 there
    assert (certificate["day"], certificate["hours"], certificate["cme_credits"]) == (day.isoformat(), 9.0, 7.5)

    pdf = api.call("GET", certificate["pdf_url"], present["token"])
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    for expected in (
        "Certificate of attendance",
        "Łukasz Żurawski",
        "Transcatheter aortic valve implantation",
        "TAVI",
        "Élise Martin, Professor of cardiac surgery",
        "Hôpital Européen Georges-Pompidou, Paris, FR",
        f"{day.day} {day:%B %Y}, 08:00 to 17:00",  # the venue's local day (no leading zero) and hours
        "Hours 9 hours",
        "CME credits 7.5",
        f"Verification code: {certificate['code']}",
        certificate["verify_url"],
    ):
        assert expected in text, f"{expected!r} not in {text!r}"
    assert "Anna Absent" not in text

    # Only the trainee, the training's expert and admins may fetch it.
    assert api.call("GET", certificate["pdf_url"], absent["token"]).status_code == 404
    assert api.call("GET", f"/api/v1/certificates/{certificate['id']}", expert["token"]).status_code == 200
    assert api.call("GET", f"/api/v1/certificates/{certificate['id']}", api.expert()["token"]).status_code == 404
    assert api.call("GET", certificate["pdf_url"]).status_code == 401
    session, _csrf = api.web_session(present["email"])
    listed = session.get(f"{api.base_url}/me/certificates")
    assert certificate["code"] in listed.text
    saved = session.get(f"{api.base_url}/me/certificates/{certificate['id']}.pdf")
    assert saved.headers["Content-Type"] == "application/pdf" and saved.content == pdf.content

    mail = wait_for(lambda: [m for m in stack.mails_to(present["email"]) if "Your certificate" in m["Subject"]] or None,
                    what="the certificate e-mail")  # fmt: skip
    assert "/me/certificates" in text_of(mail[0])

    # A redelivered completion issues nothing new and keeps the code.
    inject(issue_certificates, stack.deps)(completed)
    assert stack.db.certificates.count_documents({}) == 1
    assert stack.deps.certificates.get(certificate["id"]).code == certificate["code"]  # type: ignore[union-attr]


def test_anyone_can_verify_a_code_and_no_forged_or_altered_one_passes(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert("Dr Verity"), api.user("trainee", "Carla Checked")
    training, _ = stack.held_training(expert, [trainee], cme_credits=6)
    [certificate] = wait_for(lambda: api.call("GET", "/api/v1/me/certificates", trainee["token"]).json()["items"]
                             or None, what="certificate")  # fmt: skip
    code = certificate["code"]

    genuine = _verify(stack, code)
    assert genuine["valid"] is True
    assert genuine["certificate"]["trainee_name"] == "Carla Checked"
    day = local_day(training["starts_at"], training["timezone"]).isoformat()
    assert genuine["certificate"]["cme_credits"] == 6 and genuine["certificate"]["day"] == day
    assert "trainee_id" not in genuine["certificate"]  # a verifier learns what was certified, not accounts
    assert _verify(stack, code.lower().replace("-", " "))["valid"] is True  # as someone types it

    # Altered: one character of a genuine code changed.
    flipped = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert _verify(stack, flipped) == {"valid": False, "reason": "No certificate has this code.", "certificate": None}
    # Forged: the same certificate signed with another key than ours.
    stored = stack.deps.certificates.get(certificate["id"])
    assert stored is not None
    forged = sign(dataclasses.replace(stored, code=""), b"not-the-marketplace-key").code
    assert forged != code and _verify(stack, forged)["valid"] is False
    # Not a code at all.
    assert _verify(stack, "HELLO")["valid"] is False
    assert normalize_code("HELLO") is None
    # A record altered in the database no longer matches its code.
    stack.db.certificates.update_one({"_id": certificate["id"]}, {"$set": {"cme_credits": 60}})
    tampered = _verify(stack, code)
    assert tampered["valid"] is False and "does not match" in tampered["reason"]

    # The public page says the same, without signing in.
    stack.db.certificates.update_one({"_id": certificate["id"]}, {"$set": {"cme_credits": 6}})
    page = requests.get(f"{api.base_url}/verify/{code}", timeout=10)
    assert page.status_code == 200 and "genuine" in page.text and "Carla Checked" in page.text
    bad = requests.get(f"{api.base_url}/verify/{flipped}", timeout=10)
    assert bad.status_code == 200 and "not valid" in bad.text and "Carla Checked" not in bad.text
    typed = requests.get(f"{api.base_url}/verify", params={"code": code.lower()}, timeout=10)
    assert typed.status_code == 200 and "genuine" in typed.text
