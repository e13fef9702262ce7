"""The private follow-up thread over HTTP and on its web page, against every worker: the two parties
write after the day, the other side is told, anyone else gets 404."""

from __future__ import annotations

from typing import Any

from tests.support import Stack, csrf_of, page_text, wait_for


def _write(stack: Stack, who: dict[str, Any], booking_id: str, text: str) -> Any:
    return stack.api.call("POST", f"/api/v1/bookings/{booking_id}/messages", who["token"], json={"text": text})


def test_the_trainee_and_the_expert_write_after_the_day_and_no_one_else_reads(stack: Stack) -> None:
    api = stack.api
    expert = api.expert("Prof. Élise Martin")
    anna, ben = api.user("trainee", "Anna Karlsson"), api.user("trainee", "Ben Away")
    training, bookings = stack.held_training(expert, [anna], (ben,), follow_up_days=45)
    mine = bookings[anna["id"]]

    asked = _write(stack, anna, mine, "My patient is 84 with a <bicuspid> valve: would you treat?")
    assert asked.status_code == 201, asked.text
    assert asked.json()["by"] == "trainee"
    assert _write(stack, anna, mine, "").status_code == 422
    assert _write(stack, ben, bookings[ben["id"]], "Can I ask too?").status_code == 409  # absent on the day
    for stranger in (ben, api.expert("Dr Other"), api.admin()):
        assert api.call("GET", f"/api/v1/bookings/{mine}/messages", stranger["token"]).status_code == 404
        assert _write(stack, stranger, mine, "Let me in").status_code == 404

    def told(who: dict[str, Any], kind: str) -> Any:
        items = api.call("GET", "/api/v1/me/notifications", who["token"]).json()["items"]
        return [n for n in items if n["kind"] == kind]

    [notice] = wait_for(lambda: told(expert, "message.from_trainee"), what="the expert told")
    assert notice["link"].endswith(f"/bookings/{mine}/messages")
    assert _write(stack, expert, mine, "Send me the CT; sizing decides.").status_code == 201
    wait_for(lambda: told(anna, "message.from_expert"), what="the trainee told")
    thread = api.call("GET", f"/api/v1/bookings/{mine}/messages", anna["token"]).json()
    assert [m["by"] for m in thread["items"]] == ["trainee", "expert"] and thread["open"] is True
    assert thread["total"] == 2 and thread["closes_at"] > thread["opens_at"]

    web, csrf = api.web_session(anna["email"])
    page = web.get(f"{api.base_url}/bookings/{mine}/messages")
    assert page.status_code == 200
    assert "&lt;bicuspid&gt;" in page.text and "<bicuspid>" not in page.text  # shown as typed, escaped
    text = page_text(page.text)
    assert "Follow-up with Prof. Élise Martin" in text and "Send me the CT; sizing decides." in text
    sent = web.post(f"{api.base_url}/bookings/{mine}/messages", data={"csrf": csrf_of(page.text), "text": "Thanks!"})
    assert sent.status_code == 200 and "Thanks!" in sent.text  # after the redirect back to the thread
    assert api.call("GET", f"/api/v1/bookings/{mine}/messages", expert["token"]).json()["total"] == 3
    assert training["follow_up_days"] == 45


def test_a_reported_message_reaches_the_desk_and_a_hidden_one_shows_its_reason(stack: Stack) -> None:
    api = stack.api
    expert = api.expert("Dr Rude")
    anna = api.user("trainee", "Anna Karlsson")
    _training, bookings = stack.held_training(expert, [anna])
    mine = bookings[anna["id"]]
    rude = _write(stack, expert, mine, "Stop wasting my time with <b>questions</b>.").json()
    admin = api.admin()

    reported = api.call("POST", f"/api/v1/messages/{rude['id']}/report", anna["token"], json={"reason": "Rude."})
    assert reported.status_code == 200 and reported.json()["reported"] is True
    again = api.call("POST", f"/api/v1/messages/{rude['id']}/report", anna["token"], json={"reason": "Still rude."})
    assert again.status_code == 409
    stranger = api.user("trainee")
    assert api.call("POST", f"/api/v1/messages/{rude['id']}/report", stranger["token"],
                    json={"reason": "Let me see it."}).status_code == 404  # fmt: skip
    wait_for(lambda: [n for n in api.call("GET", "/api/v1/me/notifications", admin["token"]).json()["items"]
                      if n["kind"] == "message.reported"], what="the admins told")  # fmt: skip
    desk = api.call("GET", "/api/v1/admin/messages/reported", admin["token"]).json()
    assert desk["total"] >= 1 and rude["id"] in [m["id"] for m in desk["items"]]
    web, _ = api.web_session(admin["email"])
    desk_page = web.get(f"{api.base_url}/admin/messages")
    assert "&lt;b&gt;questions&lt;/b&gt;" in desk_page.text  # the desk shows the words, escaped
    hidden = web.post(f"{api.base_url}/admin/messages/{rude['id']}/hide",
                      data={"csrf": csrf_of(desk_page.text), "reason": "Not how we speak to trainees."})  # fmt: skip
    assert hidden.status_code == 200 and rude["id"] not in hidden.text
    thread = api.call("GET", f"/api/v1/bookings/{mine}/messages", anna["token"]).json()["items"]
    [shown] = [m for m in thread if m["id"] == rude["id"]]
    assert shown["text"] is None and shown["hidden"] and shown["hidden_reason"] == "Not how we speak to trainees."
    wait_for(lambda: [n for n in api.call("GET", "/api/v1/me/notifications", expert["token"]).json()["items"]
                      if n["kind"] == "message.hidden"], what="the author told")  # fmt: skip
    trainee_web, _ = api.web_session(anna["email"])
    text = trainee_web.get(f"{api.base_url}/bookings/{mine}/messages").text
    assert "Hidden by a moderator: Not how we speak to trainees." in text and "wasting my time" not in text
