"""A trainee asks to teach, over HTTP and on the web: the admin's usual check, and the history kept."""

from __future__ import annotations

from typing import Any

from tests.support import Stack, csrf_of, wait_for

APPLICATION = {
    "credentials": [{"kind": "medical_license", "number": "FR-77", "issuer": "Ordre des médecins", "country": "FR"}],
    "institution": "Hospices Civils de Lyon", "specialty": "interventional cardiology",
    "title": "Consultant cardiologist",
}  # fmt: skip


def _apply(stack: Stack, who: dict[str, Any], body: dict[str, Any] = APPLICATION) -> Any:
    return stack.api.call("POST", "/api/v1/me/expert-application", who["token"], json=body)


def test_a_trainee_who_trained_here_comes_to_teach_and_keeps_the_record(stack: Stack) -> None:
    api = stack.api
    teacher = api.expert("Prof. Élise Martin")
    sam = api.user("trainee", "Dr Sam Taylor")
    training, bookings = stack.held_training(teacher, [sam], cme_credits=7)
    wait_for(lambda: api.call("GET", "/api/v1/me/portfolio", sam["token"]).json()["credits_total"] == 7,
             what="the certificate in the portfolio")  # fmt: skip

    bad = _apply(stack, sam, {"credentials": [], "specialty": "x"})
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"credentials", "institution", "specialty"}
    applied = _apply(stack, sam)
    assert applied.status_code == 202, applied.text
    body = applied.json()
    assert (body["role"], body["verification"], body["former_roles"]) == ("expert", "pending", ["trainee"])
    admin = api.admin()
    queue = api.call("GET", "/api/v1/admin/experts?status=pending", admin["token"]).json()["items"]
    assert sam["id"] in [e["id"] for e in queue]
    assert api.call("POST", f"/api/v1/admin/experts/{sam['id']}/verify", admin["token"]).status_code == 200

    # The same account, now an expert: it publishes, and its trainee's record is still its own.
    mine = api.published_training(sam, title="TAVI for beginners")
    assert mine["expert"]["id"] == sam["id"]
    assert [b["id"] for b in api.call("GET", "/api/v1/me/bookings", sam["token"]).json()["items"]] == [
        bookings[sam["id"]]]  # fmt: skip
    record = api.call("GET", "/api/v1/me/portfolio", sam["token"]).json()
    assert record["credits_total"] == 7 and record["entries"][0]["training_id"] == training["id"]
    assert _apply(stack, sam).status_code == 403  # an expert has nothing to apply for


def test_a_booking_under_way_comes_first_and_the_web_form_applies(stack: Stack) -> None:
    api = stack.api
    busy = api.user("trainee", "Ana Busy")
    training = api.published_training(api.expert())
    booking = stack.book(busy, training)
    stack.wait_status(booking, "held", "payment_pending")
    refused = _apply(stack, busy)
    assert refused.status_code == 409 and "current bookings" in refused.json()["message"]
    [said] = refused.json()["errors"]["bookings"]
    assert said.startswith(f"{booking} is ")
    assert api.call("GET", "/api/v1/me", busy["token"]).json()["role"] == "trainee"

    free = api.user("trainee", "Ben Free")
    web, csrf = api.web_session(free["email"])
    form = web.get(f"{api.base_url}/me/teach")
    assert form.status_code == 200 and "Apply to teach" in form.text
    missing = web.post(f"{api.base_url}/me/teach", data={"csrf": csrf_of(form.text), "kind": "diploma"})
    assert (
        missing.status_code == 422 and 'id="institution-error"' in missing.text and 'id="number-error"' in missing.text
    )
    sent = web.post(f"{api.base_url}/me/teach", data={
        "csrf": csrf_of(missing.text), "institution": "CHU de Lille", "specialty": "urology", "kind": "diploma",
        "number": "D-1", "issuer": "Université de Lille", "country": "FR",
    })  # fmt: skip
    assert sent.status_code == 200 and "pending" in sent.text  # the credentials page, waiting for the admin
    assert api.call("GET", "/api/v1/me", free["token"]).json()["verification"] == "pending"
