"""One booking travels from HTTP to a paid, confirmed, notified seat on real services."""

from __future__ import annotations

import stripe

from tests.support import Stack, text_of, wait_for


def test_a_booking_is_held_paid_confirmed_and_notified(stack: Stack) -> None:
    api = stack.api
    expert = api.expert("Dr Ada Lovelace")
    trainee = api.user("trainee", "Grace Hopper")
    training = api.published_training(expert, capacity=3, price=45000)

    accepted = api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", trainee["token"])
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    assert body["booking"]["status"] == "requested"
    status_url = body["status_url"]
    assert accepted.headers["Location"] == status_url

    def booking() -> dict:
        return api.call("GET", status_url, trainee["token"]).json()

    held = wait_for(lambda: (b := booking())["payment"].get("intent_id") and b, what="held + intent")
    assert held["status"] == "held"
    assert held["expires_at"]

    pay = api.call(
        "POST", f"/api/v1/bookings/{held['id']}/payment", trainee["token"], json={"payment_method": "pm_card_visa"}
    )
    assert pay.status_code == 202, pay.text
    assert pay.json()["client_secret"].startswith(held["payment"]["intent_id"])

    confirmed = wait_for(lambda: (b := booking())["status"] == "confirmed" and b, what="confirmation")
    steps = [s["step"] for s in confirmed["history"]]
    assert steps == ["requested", "held", "payment_pending", "payment_submitted", "confirmed"]
    assert confirmed["payment"]["status"] == "succeeded"

    client = stripe.StripeClient(stack.config.stripe_api_key, base_addresses={"api": stack.config.stripe_api_base})
    intent = client.v1.payment_intents.retrieve(confirmed["payment"]["intent_id"])
    assert intent.status == "succeeded"
    # The price plus the 5 % service fee of the default configuration.
    assert intent.amount == 47250 and intent.currency == "eur"
    assert confirmed["amount"] == 47250 and confirmed["service_fee"] == 2250
    assert intent.metadata["booking_id"] == confirmed["id"]
    assert intent.latest_charge["captured"] is True

    inbox = wait_for(
        lambda: [
            n
            for n in api.call("GET", "/api/v1/me/notifications", trainee["token"]).json()["items"]
            if n["kind"] == "booking.confirmed"
        ],
        what="inbox",
    )
    assert "€472.50" in inbox[0]["body"]

    mails = wait_for(
        lambda: [m for m in stack.mails_to(trainee["email"]) if m["Subject"].startswith("Booking confirmed")],
        what="e-mail",
    )
    assert len(mails) == 1
    assert "Transcatheter aortic valve implantation" in mails[0]["Subject"]
    assert "Grace Hopper" in text_of(mails[0])
    assert "Training details" in text_of(mails[0])
    html = mails[0].get_body(preferencelist=("html",)).get_content()
    assert "Transcatheter aortic valve implantation" in html and "<html" in html
    [invite] = [p for p in mails[0].iter_attachments() if p.get_content_type() == "text/calendar"]
    assert invite.get_param("method") == "REQUEST"
    ics = invite.get_content()
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert f"UID:{held['id']}@" in ics and "DTSTART:" in ics

    expert_mails = wait_for(
        lambda: [m for m in stack.mails_to(expert["email"]) if m["Subject"].startswith("New booking")],
        what="expert e-mail",
    )
    assert "Grace Hopper" in text_of(expert_mails[0])
