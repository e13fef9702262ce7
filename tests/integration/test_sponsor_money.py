"""A sponsor's money and codes when plans change: the training cancelled after (or before) the
sponsor paid, and a voucher booking cancelled before the day."""

from __future__ import annotations

from typing import Any

from tests.support import Stack, text_of, wait_for


def _sponsor(stack: Stack, company: str = "MedDevice SA") -> dict:
    sponsor = stack.api.user("sponsor", "Jane Doe")
    assert stack.api.call("PATCH", "/api/v1/me", sponsor["token"], json={"company": company}).status_code == 200
    return sponsor


def _sponsorship(stack: Stack, sponsor: dict, url: str) -> dict[str, Any]:
    return stack.api.call("GET", url, sponsor["token"]).json()


def _paid_seats(stack: Stack, sponsor: dict, training: dict, seats: int) -> dict[str, Any]:
    """A sponsorship of ``seats`` seats, paid by card, with its vouchers issued."""
    api = stack.api
    bought = api.call("POST", f"/api/v1/trainings/{training['id']}/sponsorships", sponsor["token"],
                      json={"seats": seats})  # fmt: skip
    assert bought.status_code == 202, bought.text
    url = bought.json()["status_url"]
    wait_for(lambda: _sponsorship(stack, sponsor, url)["payment_status"], what="the purchase's PaymentIntent")
    paid = api.call("POST", f"{url}/payment", sponsor["token"], json={"payment_method": "pm_card_visa"})
    assert paid.status_code == 202, paid.text
    return wait_for(lambda: (s := _sponsorship(stack, sponsor, url))["status"] == "paid" and len(s["vouchers"]) == seats
                    and {**s, "payment_intent_id": paid.json()["payment_intent_id"]}, what="vouchers")  # fmt: skip


def _kinds(stack: Stack, user: dict) -> list[str]:
    return [n["kind"] for n in stack.api.call("GET", "/api/v1/me/notifications", user["token"]).json()["items"]]


def test_a_cancelled_training_gives_the_sponsor_every_cent_back_and_voids_the_codes(stack: Stack) -> None:
    api = stack.api
    expert, trainee, late = api.expert(), api.user("trainee"), api.user("trainee")
    sponsor = _sponsor(stack)
    training = api.published_training(expert, capacity=4, price=45000)
    sponsorship = _paid_seats(stack, sponsor, training, seats=2)
    url, intent = sponsorship["status_url"], sponsorship["payment_intent_id"]
    used, unused = (v["code"] for v in sponsorship["vouchers"])
    booked = api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", trainee["token"],
                      json={"voucher_code": used})  # fmt: skip
    voucher_booking = booked.json()["booking"]["id"]
    stack.wait_status(voucher_booking, "confirmed")

    cancelled = api.call("POST", f"/api/v1/trainings/{training['id']}/cancel", expert["token"],
                         json={"reason": "The cath lab is closed for works."})  # fmt: skip
    assert cancelled.status_code == 200
    # Every euro back, even though one of the two codes was used: the day happened for no one.
    refunded = wait_for(lambda: (s := _sponsorship(stack, sponsor, url))["status"] == "refunded" and s,
                        what="the sponsorship refunded")  # fmt: skip
    assert refunded["refunded_amount"] == 90000
    assert [v["state"] for v in refunded["vouchers"]] == ["void", "void"]
    refunds = stack.stripe.v1.refunds.list(params={"payment_intent": intent}).data
    assert [(r.amount, r.status) for r in refunds] == [(90000, "succeeded")]
    stack.wait_status(voucher_booking, "cancelled")

    def ledger() -> list[int]:
        entries = stack.deps.ledger.entries(stack.deps.clock().replace(year=2000), stack.deps.clock())
        return sorted(e.gross for e in entries if e.payment_intent_id == intent)

    # The charge and its refund: the platform and the expert keep nothing of it.
    wait_for(lambda: ledger() == [-90000, 90000], what="the ledger's refund entry")

    wait_for(lambda: "sponsorship.refunded" in _kinds(stack, sponsor), what="the sponsor told in-app")
    mail = wait_for(lambda: [m for m in stack.mails_to(sponsor["email"]) if "refunded" in m["Subject"]],
                    what="the sponsor told by e-mail")  # fmt: skip
    assert "900.00" in text_of(mail[0]) and "void" in text_of(mail[0])
    refused = api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", late["token"],
                       json={"voucher_code": unused})  # fmt: skip
    assert refused.status_code == 409  # bookings are closed, and the code is void anyway
    assert stack.deps.vouchers.redeem(unused, "another-booking", stack.deps.clock()) is False


def test_an_unpaid_sponsorship_of_a_cancelled_training_is_called_off(stack: Stack) -> None:
    api = stack.api
    expert, sponsor = api.expert(), _sponsor(stack)
    training = api.published_training(expert, price=45000)
    bought = api.call("POST", f"/api/v1/trainings/{training['id']}/sponsorships", sponsor["token"], json={"seats": 1})
    url = bought.json()["status_url"]
    wait_for(lambda: _sponsorship(stack, sponsor, url)["payment_status"], what="the purchase's PaymentIntent")
    intent = stack.deps.sponsorships.get(bought.json()["id"]).payment["intent_id"]
    assert api.call("POST", f"/api/v1/trainings/{training['id']}/cancel", expert["token"],
                    json={"reason": "The expert is unwell."}).status_code == 200  # fmt: skip
    wait_for(lambda: _sponsorship(stack, sponsor, url)["status"] == "cancelled", what="called off")
    assert stack.stripe.v1.payment_intents.retrieve(intent).status == "canceled"  # it can no longer be paid
    late = api.call("POST", f"{url}/payment", sponsor["token"], json={"payment_method": "pm_card_visa"})
    assert late.status_code == 409
    wait_for(lambda: "sponsorship.cancelled" in _kinds(stack, sponsor), what="the sponsor told")


def test_a_voucher_booking_cancelled_before_the_day_gives_the_code_back(stack: Stack) -> None:
    api = stack.api
    expert, first, second = api.expert(), api.user("trainee"), api.user("trainee")
    sponsor = _sponsor(stack)
    training = api.published_training(expert, capacity=4, price=45000)
    sponsorship = _paid_seats(stack, sponsor, training, seats=1)
    code = sponsorship["vouchers"][0]["code"]
    book = f"/api/v1/trainings/{training['id']}/bookings"
    taken = api.call("POST", book, first["token"], json={"voucher_code": code}).json()["booking"]["id"]
    stack.wait_status(taken, "confirmed")
    assert _sponsorship(stack, sponsor, sponsorship["status_url"])["vouchers"][0]["state"] == "redeemed"

    assert api.call("POST", f"/api/v1/bookings/{taken}/cancel", first["token"]).status_code == 202
    stack.wait_status(taken, "cancelled")
    # The sponsor sees the code available again, on the API and on the page...
    wait_for(lambda: _sponsorship(stack, sponsor, sponsorship["status_url"])["vouchers"][0]["state"] == "available",
             what="the code back in the pool")  # fmt: skip
    web, _ = api.web_session(sponsor["email"])
    assert "Available" in web.get(f"{api.base_url}/sponsorships/{sponsorship['id']}").text
    # ... and the next trainee books with it.
    again = api.call("POST", book, second["token"], json={"voucher_code": code})
    assert again.status_code == 202, again.text
    rebooked = stack.wait_status(again.json()["booking"]["id"], "confirmed")
    assert rebooked["sponsored_by"]["sponsorship_id"] == sponsorship["id"] and rebooked["amount"] == 0
