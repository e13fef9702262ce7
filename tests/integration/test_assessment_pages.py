"""The expert's assessment form and the trainee's portfolio page, over HTTP against every worker."""

from __future__ import annotations

from tests.support import Stack, csrf_of, page_text, wait_for


def test_the_expert_assesses_on_the_web_and_the_trainee_reads_it_in_the_portfolio(stack: Stack) -> None:
    api = stack.api
    expert = api.expert("Prof. Élise Martin")
    anna, ben = api.user("trainee", "Anna Karlsson"), api.user("trainee", "Ben Away")
    training, bookings = stack.held_training(expert, [anna], (ben,), cme_credits=7)
    web, csrf = api.web_session(expert["email"])
    base = api.base_url

    roll_call = web.get(f"{base}/me/trainings/{training['id']}/attendance").text
    assert f'href="/me/assessments/{bookings[anna["id"]]}"' in roll_call
    assert f'href="/me/assessments/{bookings[ben["id"]]}"' not in roll_call  # absent: nothing to assess
    absent = web.get(f"{base}/me/assessments/{bookings[ben['id']]}")
    assert (
        "Mark Ben Away present on the roll call first" in page_text(absent.text)
        and '<form method="post" class="narrow"' not in absent.text
    )

    form = web.get(f"{base}/me/assessments/{bookings[anna['id']]}")
    assert form.status_code == 200 and "Only Anna Karlsson and you can read it." in page_text(form.text)
    typed = {"csrf": csrf_of(form.text), "name_0": "Femoral access", "level_0": "", "comment": ""}
    refused = web.post(f"{base}/me/assessments/{bookings[anna['id']]}", data=typed)
    assert refused.status_code == 422 and 'id="comment-error"' in refused.text
    assert 'value="Femoral access"' in refused.text  # what was typed stays
    saved = web.post(f"{base}/me/assessments/{bookings[anna['id']]}", data={
        "csrf": csrf_of(refused.text), "name_0": "Femoral access", "level_0": "performed_supervised",
        "name_1": "Valve deployment", "level_1": "observed", "comment": "Steady <hands>.", "next_step": "",
    })  # fmt: skip
    assert saved.status_code == 200 and "Saved. Anna Karlsson is told." in page_text(saved.text)
    assert api.call("GET", f"/api/v1/bookings/{bookings[anna['id']]}/assessment", anna["token"]).json()["revision"] == 1

    stranger, _ = api.web_session(api.expert("Dr Other")["email"])
    assert stranger.get(f"{base}/me/assessments/{bookings[anna['id']]}").status_code == 404

    trainee, _ = api.web_session(anna["email"])

    def shown() -> str | None:
        page = trainee.get(f"{base}/me/portfolio").text
        return page if "CME credits: 7" in page_text(page) else None

    page = wait_for(shown, what="the certificate's credits in the portfolio")
    text = page_text(page)
    assert training["title"] in text and "Femoral access: Performed under supervision" in text
    assert "Steady <hands>." in text and "Steady <hands>" not in page  # escaped as typed
    assert 'href="/api/v1/me/portfolio.pdf"' in page and "Download" in text
