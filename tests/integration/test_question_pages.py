"""Questions before booking on the web pages: asked on the training's page, answered on the expert's
page of the training, reported from the public page, hidden on the admins' desk; what people typed
is shown as typed, escaped."""

from __future__ import annotations

import pytest

from tests.support import Stack

pytestmark = pytest.mark.workers()  # the pages alone: no notices are read here

EVIL = "<script>alert('x')</script> Is a <b>loupe</b> needed?"


def test_the_pages_ask_answer_report_and_hide_with_what_people_typed_escaped(stack: Stack) -> None:
    api, base = stack.api, stack.api.base_url
    expert, trainee, reader, admin = api.expert("Dr Pages"), api.user("trainee", "Eva Writer"), \
        api.user("trainee", "Finn Reader"), api.admin()  # fmt: skip
    tid = api.published_training(expert, title="Suturing <day>")["id"]
    anonymous = api.http.get(f"{base}/trainings/{tid}").text
    assert 'id="questions"' in anonymous and "No questions answered yet." in anonymous
    assert "ask the expert a question before you book" in anonymous and 'name="text"' not in anonymous

    session, csrf = api.web_session(trainee["email"])
    page = session.get(f"{base}/trainings/{tid}").text
    assert "Ask the expert before you book" in page
    bad = session.post(f"{base}/trainings/{tid}/questions", data={"csrf": csrf, "text": "short"})
    assert bad.status_code == 422 and 'id="text-error"' in bad.text and "Your question" in bad.text
    sent = session.post(f"{base}/trainings/{tid}/questions", data={"csrf": csrf, "text": EVIL})
    assert sent.status_code == 200 and sent.url.endswith(f"/trainings/{tid}#questions")
    assert "My questions waiting for the expert's answer" in sent.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in sent.text and "<script>alert" not in sent.text
    assert session.post(f"{base}/trainings/{tid}/questions", data={"text": EVIL}).status_code == 400  # no CSRF
    qid = stack.db.questions.find_one({"trainee_id": trainee["id"]})["_id"]

    expert_session, expert_csrf = api.web_session(expert["email"])
    assert "1 question waits for your answer" in expert_session.get(f"{base}/trainings/{tid}").text
    mine = expert_session.get(f"{base}/me/trainings/{tid}").text
    assert "Questions waiting for your answer (1)" in mine and "&lt;b&gt;loupe&lt;/b&gt;" in mine
    answered = expert_session.post(f"{base}/questions/{qid}/answer",
                                   data={"csrf": expert_csrf, "text": "No <i>loupe</i> needed."})  # fmt: skip
    assert answered.status_code == 200 and "Questions waiting for your answer (0)" in answered.text

    public = api.http.get(f"{base}/trainings/{tid}").text
    assert "Eva W." in public and "No &lt;i&gt;loupe&lt;/i&gt; needed." in public and "<i>loupe" not in public

    reader_session, reader_csrf = api.web_session(reader["email"])
    reported = reader_session.post(f"{base}/questions/{qid}/report",
                                   data={"csrf": reader_csrf, "reason": "Script in the question."})  # fmt: skip
    assert reported.status_code == 200 and "the admins will look at what you reported" in reported.text

    admin_session, admin_csrf = api.web_session(admin["email"])
    desk = admin_session.get(f"{base}/admin/questions").text
    assert "Questions reported (1)" in desk and "Script in the question." in desk and "Suturing &lt;day&gt;" in desk
    hidden = admin_session.post(f"{base}/admin/questions/{qid}/hide",
                                data={"csrf": admin_csrf, "reason": "Not a real question."})  # fmt: skip
    assert hidden.status_code == 200 and "No question is waiting for moderation." in hidden.text
    assert "Eva W." not in api.http.get(f"{base}/trainings/{tid}").text
    assert "Questions before booking" in session.get(f"{base}/me/notification-preferences").text
