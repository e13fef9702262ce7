"""Sponsors: demos shown with the expert's consent; sponsored seats paid, vouchered, redeemed."""

from __future__ import annotations

import stripe

from tests.support import Stack, text_of, wait_for

DEMO = {"title": "Evolut FX in the cath lab", "device": "Evolut FX", "technique": "TAVI",
        "specialties": ["Cardiology"], "urls": ["https://example.org/evolut"]}  # fmt: skip


def _sponsor(stack: Stack, company: str) -> dict:
    api = stack.api
    sponsor = api.user("sponsor", "Jane Doe")
    assert api.call("PATCH", "/api/v1/me", sponsor["token"], json={"company": company}).status_code == 200
    return sponsor


def test_a_demo_is_shown_at_a_training_only_with_its_experts_consent(stack: Stack) -> None:
    api = stack.api
    expert, other_expert, trainee = api.expert(), api.expert(), api.user("trainee")
    sponsor, rival = _sponsor(stack, "MedDevice SA"), _sponsor(stack, "Rival Inc")
    training = api.published_training(expert)
    for outsider in (trainee, expert):
        assert api.call("POST", "/api/v1/demos", outsider["token"], json=DEMO).status_code == 403
    bad = api.call("POST", "/api/v1/demos", sponsor["token"], json={"title": "x", "urls": ["not a url"]})
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"title", "urls"}
    demo = api.call("POST", "/api/v1/demos", sponsor["token"], json=DEMO).json()
    assert demo["company"] == "MedDevice SA" and demo["specialties"] == ["cardiology"]
    assert (
        api.call("PATCH", f"/api/v1/demos/{demo['id']}", rival["token"], json={"title": "Mine now"}).status_code == 403
    )

    show = f"/api/v1/demos/{demo['id']}/trainings"
    assert api.call("POST", show, rival["token"], json={"training_id": training["id"]}).status_code == 403
    asked = api.call("POST", show, sponsor["token"], json={"training_id": training["id"]})
    assert asked.status_code == 202 and asked.json()["trainings"][0]["status"] == "pending"
    assert api.call("POST", show, sponsor["token"], json={"training_id": training["id"]}).status_code == 409
    assert api.call("GET", f"/api/v1/trainings/{training['id']}/demos").json()["items"] == []
    assert api.call("GET", "/api/v1/trainings", params={"sponsor": sponsor["id"]}).json()["total"] == 0

    requests_ = api.call("GET", "/api/v1/me/demo-requests", expert["token"]).json()["items"]
    assert [d["id"] for d in requests_] == [demo["id"]]
    accept = f"/api/v1/trainings/{training['id']}/demos/{demo['id']}/accept"
    assert api.call("POST", accept, other_expert["token"]).status_code == 403
    assert api.call("POST", accept, sponsor["token"]).status_code == 403
    accepted = api.call("POST", accept, expert["token"])
    assert accepted.status_code == 200 and accepted.json()["trainings"][0]["status"] == "accepted"
    assert api.call("POST", accept, expert["token"]).status_code == 409
    assert api.call("POST", accept.replace("accept", "decline"), expert["token"]).status_code == 409

    shown = api.call("GET", f"/api/v1/trainings/{training['id']}/demos").json()["items"]
    assert [(d["id"], d["company"]) for d in shown] == [(demo["id"], "MedDevice SA")]
    found = api.call("GET", "/api/v1/trainings", params={"sponsor": sponsor["id"]}).json()["items"]
    assert [t["id"] for t in found] == [training["id"]]
    by_specialty = api.call("GET", "/api/v1/demos", params={"specialty": "cardiology"}).json()["items"]
    assert demo["id"] in [d["id"] for d in by_specialty]
    assert api.call("GET", "/api/v1/me/demo-requests", expert["token"]).json()["items"] == []


def test_sponsored_seats_become_vouchers_and_a_voucher_books_a_free_confirmed_seat(stack: Stack) -> None:
    api = stack.api
    expert, trainee, second, other = api.expert(), api.user("trainee", "Ana"), api.user("trainee"), api.user("trainee")
    sponsor = _sponsor(stack, "MedDevice SA")
    training = api.published_training(expert, capacity=4, price=45000)
    buy = f"/api/v1/trainings/{training['id']}/sponsorships"
    assert api.call("POST", buy, trainee["token"], json={"seats": 1}).status_code == 403
    too_many = api.call("POST", buy, sponsor["token"], json={"seats": 5})
    assert too_many.status_code == 409 and "At most 4" in too_many.json()["errors"]["seats"][0]

    bought = api.call("POST", buy, sponsor["token"], json={"seats": 2})
    assert bought.status_code == 202, bought.text
    sponsorship = bought.json()
    assert sponsorship["amount"] == 90000 and sponsorship["status"] == "payment_pending"
    url = sponsorship["status_url"]
    assert api.call("GET", url, trainee["token"]).status_code == 403
    assert api.call("GET", url, _sponsor(stack, "Rival")["token"]).status_code == 404
    wait_for(lambda: api.call("GET", url, sponsor["token"]).json()["payment_status"], what="PaymentIntent")
    paid = api.call("POST", f"{url}/payment", sponsor["token"], json={"payment_method": "pm_card_visa"})
    assert paid.status_code == 202, paid.text
    done = wait_for(lambda: (s := api.call("GET", url, sponsor["token"]).json())["status"] == "paid"
                    and len(s["vouchers"]) == 2 and s, what="paid with two vouchers")  # fmt: skip
    codes = [v["code"] for v in done["vouchers"]]
    assert len(set(codes)) == 2 and all(len(c) == 10 for c in codes)

    client = stripe.StripeClient(stack.config.stripe_api_key, base_addresses={"api": stack.config.stripe_api_base})
    intent = client.v1.payment_intents.retrieve(paid.json()["payment_intent_id"])
    assert intent.status == "succeeded" and intent.amount == 90000
    mail = wait_for(lambda: [m for m in stack.mails_to(sponsor["email"]) if "sponsored seats" in m["Subject"]],
                    what="codes e-mailed")  # fmt: skip
    assert all(code in text_of(mail[0]) for code in codes)

    booked = api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", trainee["token"],
                      json={"voucher_code": codes[0].lower()})  # fmt: skip
    assert booked.status_code == 202, booked.text
    assert booked.json()["booking"]["amount"] == 0
    status_url = booked.json()["status_url"]
    confirmed = wait_for(lambda: (b := api.call("GET", status_url, trainee["token"]).json())["status"] == "confirmed"
                         and b, what="free confirmed seat")  # fmt: skip
    assert confirmed["sponsored_by"]["company"] == "MedDevice SA"
    assert confirmed["sponsored_by"]["sponsorship_id"] == sponsorship["id"]
    assert confirmed["voucher_code"] == codes[0]
    assert confirmed["payment"].get("intent_id") is None  # no money moved for this seat

    again = api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", second["token"],
                     json={"voucher_code": codes[0]})  # fmt: skip
    assert again.status_code == 409 and "voucher_code" in again.json()["errors"]
    unknown = api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", other["token"],
                       json={"voucher_code": "NOTACODE42"})  # fmt: skip
    assert unknown.status_code == 404 and "voucher_code" in unknown.json()["errors"]
    view = api.call("GET", url, sponsor["token"]).json()["vouchers"]
    assert [v["redeemed"] for v in view] == [True, False]
    assert set(view[0]) == {"code", "state", "redeemed", "redeemed_at"}  # the sponsor never sees who
    wait_for(lambda: [n for n in api.call("GET", "/api/v1/me/notifications", sponsor["token"]).json()["items"]
                      if n["kind"] == "sponsorship.redeemed"], what="sponsor told")  # fmt: skip
