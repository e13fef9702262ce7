"""Questions to the expert before booking, over HTTP against the real services: asked by a trainee,
seen by its author and the expert until answered, public once answered, reported once per person,
hidden by an admin; everyone concerned told in the inbox and by e-mail; the web pages on the same rules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from devstack.stack import Infra
from tests.support import Stack, running_stack, wait_for

pytestmark = pytest.mark.workers("notifications")

ASKED = "  Do trainees scrub in for the live cases, or watch from the gallery?  "
EVIL = "<script>alert('x')</script> Is a <b>loupe</b> needed?"


def _ask(stack: Stack, user: dict[str, Any] | None, training_id: str, text: Any) -> Any:
    return stack.api.call("POST", f"/api/v1/trainings/{training_id}/questions", user["token"] if user else None,
                          json={"text": text})  # fmt: skip


def _listed(stack: Stack, user: dict[str, Any] | None, training_id: str, state: str = "answered", **page: int) -> Any:
    return stack.api.call("GET", f"/api/v1/trainings/{training_id}/questions", user["token"] if user else None,
                          params={"state": state, **page})  # fmt: skip


def _post(stack: Stack, user: dict[str, Any] | None, path: str, **body: str) -> Any:
    return stack.api.call("POST", path, user["token"] if user else None, json=body)


def _told(stack: Stack, user: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    items = stack.api.call("GET", "/api/v1/me/notifications", user["token"]).json()["items"]
    return [i for i in items if i["kind"] == kind]


def _mail(stack: Stack, user: dict[str, Any], subject: str) -> Any:
    found = wait_for(lambda: [m for m in stack.mails_to(user["email"]) if subject in str(m["Subject"])],
                     what=f"an e-mail '{subject}' to {user['email']}")  # fmt: skip
    return found[0]


def test_ask_answer_report_hide_each_seen_by_whom_it_concerns_and_told_to_them(stack: Stack) -> None:
    api = stack.api
    expert, other_expert = api.expert("Dr Asked"), api.expert("Dr Elsewhere")
    anna, ben, sponsor, admin = api.user("trainee", "Anna Karlsson"), api.user("trainee", "Ben Ode"), \
        api.user("sponsor"), api.admin()  # fmt: skip
    training = api.published_training(expert, title="Live TAVI cases")
    tid = training["id"]

    # Asking: trainees only, on a training that exists, with 10..2000 characters once trimmed.
    assert _ask(stack, None, tid, ASKED).status_code == 401
    assert _ask(stack, expert, tid, ASKED).status_code == 403
    assert _ask(stack, anna, "no-such-training", ASKED).status_code == 404
    for bad in ("   short   ", "x" * 2001, 42):
        refused = _ask(stack, anna, tid, bad)
        assert refused.status_code == 422 and set(refused.json()["errors"]) == {"text"}, refused.text
    missing = api.call("POST", f"/api/v1/trainings/{tid}/questions", anna["token"], json={})
    assert missing.status_code == 422 and set(missing.json()["errors"]) == {"text"}
    asked = _ask(stack, anna, tid, ASKED)
    assert asked.status_code == 201, asked.text
    question = asked.json()
    assert (question["text"], question["author_name"], question["state"]) == (ASKED.strip(), "Anna K.", "open")
    assert question["answer"] is None and "trainee_id" not in question
    qid = question["id"]

    # Until answered: the author, the training's expert and admins see it; no one else.
    assert _listed(stack, None, tid).json()["total"] == 0
    assert _listed(stack, None, tid, "open").status_code == 401
    for who, seen in ((anna, 1), (expert, 1), (admin, 1), (ben, 0), (other_expert, 0)):
        assert _listed(stack, who, tid, "open").json()["total"] == seen, who
    assert _listed(stack, ben, tid, "hidden").status_code == 403
    assert _listed(stack, anna, "no-such-training").status_code == 404
    assert _post(stack, ben, f"/api/v1/questions/{qid}/report", reason="Nothing to see?").status_code == 404
    wait_for(lambda: _told(stack, expert, "question.asked"), what="the expert told of the question")
    asked_mail = _mail(stack, expert, "New question: Live TAVI cases")
    assert f"/me/trainings/{tid}#questions" in str(asked_mail.get_body(preferencelist=("plain",)).get_content())

    # Answering: the training's expert, once, 1..4000 characters.
    answer_url = f"/api/v1/questions/{qid}/answer"
    assert _post(stack, other_expert, answer_url, text="Not my training.").status_code == 404
    assert _post(stack, sponsor, answer_url, text="Not an expert.").status_code == 403
    assert _post(stack, expert, "/api/v1/questions/no-such-question/answer", text="Hm.").status_code == 404
    blank = _post(stack, expert, answer_url, text="   ")
    assert blank.status_code == 422 and set(blank.json()["errors"]) == {"text"}
    answered = _post(stack, expert, answer_url, text=" You scrub in for two of the four cases. ")
    assert answered.status_code == 200, answered.text
    assert answered.json()["state"] == "answered"
    assert answered.json()["answer"] == "You scrub in for two of the four cases."
    twice = _post(stack, expert, answer_url, text="Changed my mind.")
    assert twice.status_code == 409 and "already" in twice.json()["message"]
    public = _listed(stack, None, tid).json()
    assert [q["id"] for q in public["items"]] == [qid] and public["items"][0]["answer"].startswith("You scrub in")
    assert _listed(stack, anna, tid, "open").json()["total"] == 0
    wait_for(lambda: _told(stack, anna, "question.answered"), what="the author told of the answer")
    _mail(stack, anna, "Your question was answered: Live TAVI cases")

    # Reporting: anyone signed in who can read it, once each; the admins are told with the reason.
    report_url = f"/api/v1/questions/{qid}/report"
    assert _post(stack, None, report_url, reason="Rude answer.").status_code == 401
    short = _post(stack, ben, report_url, reason="bad")
    assert short.status_code == 422 and set(short.json()["errors"]) == {"reason"}
    reported = _post(stack, ben, report_url, reason=f"The answer is rude {EVIL}")
    assert reported.status_code == 201, reported.text
    again = _post(stack, ben, report_url, reason="Still rude, really.")
    assert again.status_code == 409 and "already" in again.json()["message"]
    assert _post(stack, sponsor, report_url, reason="Advertising a rival device.").status_code == 201
    desk_url = "/api/v1/admin/questions/reported"
    assert api.call("GET", desk_url, expert["token"]).status_code == 403
    desk = api.call("GET", desk_url, admin["token"]).json()
    reasons = [r["reason"] for r in desk["items"][0]["reports"]]
    assert desk["total"] == 1 and reasons == [f"The answer is rude {EVIL}", "Advertising a rival device."]
    assert desk["items"][0]["trainee_id"] == anna["id"]
    wait_for(lambda: len(_told(stack, admin, "question.reported")) == 2, what="the admin told of both reports")
    reported_mail = _mail(stack, admin, "Question reported: Live TAVI cases")
    html = str(reported_mail.get_body(preferencelist=("html",)).get_content())
    assert "<script>" not in html and "&lt;script&gt;" in html  # what people typed is escaped in e-mails too

    # Hiding: admins, once; then no one else sees it, and its author is told why.
    hide_url = f"/api/v1/questions/{qid}/hide"
    assert _post(stack, expert, hide_url, reason="Off topic for this day.").status_code == 403
    assert _post(stack, admin, "/api/v1/questions/no-such-question/hide", reason="Off topic.").status_code == 404
    hidden = _post(stack, admin, hide_url, reason="Off topic for this day.")
    assert hidden.status_code == 200 and hidden.json()["state"] == "hidden"
    assert hidden.json()["hidden_reason"] == "Off topic for this day."
    assert _post(stack, admin, hide_url, reason="Off topic for this day.").status_code == 409
    assert _listed(stack, None, tid).json()["total"] == 0
    assert _listed(stack, anna, tid, "open").json()["total"] == 0
    assert [q["id"] for q in _listed(stack, admin, tid, "hidden").json()["items"]] == [qid]
    assert api.call("GET", desk_url, admin["token"]).json()["total"] == 0
    assert _post(stack, anna, report_url, reason="Why is it gone?").status_code == 404
    assert _post(stack, expert, answer_url, text="Another answer.").status_code == 404
    (notice,) = wait_for(lambda: _told(stack, anna, "question.hidden"), what="the author told it was hidden")
    assert "Off topic for this day." in notice["body"]


def test_answered_questions_are_paged_newest_answer_first(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee", "Cleo Page")
    tid = api.published_training(expert)["id"]
    ids = [_ask(stack, trainee, tid, f"Question number {n}, about the day?").json()["id"] for n in range(3)]
    for qid in (ids[1], ids[0], ids[2]):
        assert _post(stack, expert, f"/api/v1/questions/{qid}/answer", text="Yes.").status_code == 200
    first = _listed(stack, None, tid, limit=2, offset=0).json()
    assert [q["id"] for q in first["items"]] == [ids[2], ids[0]] and first["total"] == 3
    assert (first["limit"], first["offset"], first["state"]) == (2, 0, "answered")
    assert [q["id"] for q in _listed(stack, None, tid, limit=2, offset=2).json()["items"]] == [ids[1]]
    assert _listed(stack, None, tid, limit=0).status_code == 422
    assert _listed(stack, None, tid, "everything").status_code == 422


@pytest.fixture
def limited(infra: Infra, api_server: Callable[..., str]) -> Iterator[Stack]:
    """A stack that lets a trainee ask two questions an hour."""
    with running_stack(infra, api_server, [], questions_per_trainee="2/hour") as stack:
        yield stack


def test_questions_are_rate_limited_per_trainee_and_the_refused_one_leaves_nothing(limited: Stack) -> None:
    stack = limited
    api = stack.api
    expert, anna, ben = api.expert(), api.user("trainee"), api.user("trainee")
    tid = api.published_training(expert)["id"]
    assert _ask(stack, anna, tid, "short").status_code == 422  # not counted
    for n in range(2):
        assert _ask(stack, anna, tid, f"A fair question, number {n}.").status_code == 201
    refused = _ask(stack, anna, tid, "One question too many this hour.")
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert refused.json()["message"].startswith("Too many questions; try again in ")
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    assert stack.db.questions.count_documents({"trainee_id": anna["id"]}) == 2
    assert _ask(stack, ben, tid, "Another trainee has her own allowance.").status_code == 201
