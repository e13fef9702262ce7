"""After the day, over HTTP against every worker: the expert assesses a present trainee, who is told and
keeps it with the certificate in a portfolio, as JSON, CSV and a PDF for a licensing body."""

from __future__ import annotations

import csv
import io
from typing import Any

from pypdf import PdfReader

from tests.support import Stack, wait_for

SAID = {
    "competencies": [
        {"name": "Femoral access", "level": "performed_supervised"},
        {"name": "Valve deployment", "level": "assisted"},
    ],
    "comment": "Steady hands. <b>Rushed</b> the final check.",
    "next_step": "Ten supervised cases before the next session.",
}


def _assess(stack: Stack, who: dict[str, Any], booking_id: str, body: dict[str, Any]) -> Any:
    return stack.api.call("PUT", f"/api/v1/bookings/{booking_id}/assessment", who["token"], json=body)


def test_the_expert_assesses_the_day_and_it_joins_the_portfolio(stack: Stack) -> None:
    api = stack.api
    expert = api.expert("Prof. Élise Martin")
    anna, ben = api.user("trainee", "Anna Karlsson"), api.user("trainee", "Ben Away")
    training, bookings = stack.held_training(expert, [anna], (ben,), cme_credits=7.5, specialty="Cardiology")
    mine, his = bookings[anna["id"]], bookings[ben["id"]]

    bad = _assess(stack, expert, mine, {"competencies": [{"name": "Access", "level": "watched"}, {"name": "X"}]})
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"competencies", "comment"}
    twice = _assess(stack, expert, mine, {**SAID, "competencies": [SAID["competencies"][0]] * 2})
    assert twice.status_code == 422 and twice.json()["errors"] == {"competencies": ["Each competency once."]}
    absent = _assess(stack, expert, his, SAID)
    assert absent.status_code == 409 and "marked present" in absent.json()["message"]
    other = api.expert("Dr Other")
    assert _assess(stack, other, mine, SAID).status_code == 404
    assert api.call("GET", f"/api/v1/bookings/{mine}/assessment", anna["token"]).status_code == 404  # none yet

    given = _assess(stack, expert, mine, SAID)
    assert given.status_code == 200, given.text
    assert given.json()["revision"] == 1 and given.json()["comment"] == SAID["comment"]
    seen = api.call("GET", f"/api/v1/bookings/{mine}/assessment", anna["token"])
    assert seen.status_code == 200 and seen.json()["competencies"] == SAID["competencies"]
    for stranger in (ben, other, api.admin()):
        assert api.call("GET", f"/api/v1/bookings/{mine}/assessment", stranger["token"]).status_code == 404

    def told() -> Any:
        items = api.call("GET", "/api/v1/me/notifications", anna["token"]).json()["items"]
        return [n for n in items if n["kind"].startswith("assessment.")]

    [notice] = wait_for(told, what="the trainee told of the assessment")
    assert notice["title"] == f"Your expert's assessment: {training['title']}" and notice["link"].endswith(
        "/me/portfolio"
    )
    revised = _assess(stack, expert, mine, {**SAID, "comment": "Steady hands."})
    assert revised.json()["revision"] == 2
    wait_for(lambda: len(told()) == 2, what="the revision told")

    def certified() -> Any:
        body = api.call("GET", "/api/v1/me/portfolio", anna["token"]).json()
        return body if body["entries"] and body["entries"][0]["certificate"] else None

    record = wait_for(certified, what="the certificate in the portfolio")
    [entry] = record["entries"]
    assert record["credits_total"] == 7.5 and record["credits_by_specialty"] == {"cardiology": 7.5}
    assert list(record["credits_by_year"].values()) == [7.5] and list(record["credits_by_year"]) == [entry["day"][:4]]
    assert entry["training_id"] == training["id"] and entry["assessment"]["comment"] == "Steady hands."
    code = entry["certificate"]["code"]
    assert entry["certificate"]["verify_url"].endswith(code)
    assert api.call("GET", entry["certificate"]["pdf_url"], anna["token"]).status_code == 200
    assert api.call("GET", "/api/v1/me/portfolio", ben["token"]).json()["entries"] == []

    sheet = api.call("GET", "/api/v1/me/portfolio.csv", anna["token"])
    assert sheet.headers["Content-Type"].startswith("text/csv") and "attachment" in sheet.headers["Content-Disposition"]
    [row] = list(csv.DictReader(io.StringIO(sheet.text)))
    assert row["certificate_code"] == code and row["cme_credits"] == "7.5" and row["expert"] == "Prof. Élise Martin"
    assert row["competencies"] == "Femoral access: Performed under supervision; Valve deployment: Assisted"

    pdf = api.call("GET", "/api/v1/me/portfolio.pdf", anna["token"])
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    for expected in ("Training portfolio", "Anna Karlsson", training["title"], "7.5", code, "Steady hands.",
                     "Femoral access: Performed under supervision", "Prof. Élise Martin"):  # fmt: skip
        assert expected in text, expected
    assert api.call("GET", "/api/v1/me/portfolio.pdf", expert["token"]).status_code == 403
