"""Saved searches over HTTP against the notifications worker: a matching publication is announced once,
in the inbox and by e-mail; the web page makes and deletes them."""

from __future__ import annotations

import html
from typing import Any

import pytest

from tests.support import Stack, csrf_of, page_text, wait_for

pytestmark = pytest.mark.workers("notifications")


def _alerts_told(stack: Stack, who: dict[str, Any]) -> list[dict[str, Any]]:
    items = stack.api.call("GET", "/api/v1/me/notifications", who["token"]).json()["items"]
    return [n for n in items if n["kind"] == "alert.matched"]


def test_a_matching_publication_is_announced_once_and_others_are_not(stack: Stack) -> None:
    api = stack.api
    anna, ben = api.user("trainee", "Anna Karlsson"), api.user("trainee", "Ben Ode")
    stack.verify_address(anna)  # alerts are e-mailed to verified addresses only
    made = api.call("POST", "/api/v1/me/alerts", anna["token"],
                    json={"filters": {"technique": "TAVI", "city": "Paris"}, "name": "TAVI in Paris"})  # fmt: skip
    assert made.status_code == 201, made.text
    assert made.json()["delivery"] == "instant" and made.json()["filters"] == {"technique": "TAVI", "city": "Paris"}
    api.call("POST", "/api/v1/me/alerts", ben["token"], json={"filters": {"technique": "PCNL"}})

    bad = api.call("POST", "/api/v1/me/alerts", anna["token"],
                   json={"filters": {"price_max": 1000, "country": "France"}, "delivery": "hourly"})  # fmt: skip
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"filters", "delivery"}
    assert {"country", "currency"} <= set(bad.json()["errors"]["filters"])
    assert len(api.call("GET", "/api/v1/me/alerts", anna["token"]).json()["items"]) == 1  # nothing half-written

    expert = api.expert("Dr Claire Martin")
    training = api.published_training(expert, title="TAVI for fellows")  # Paris, TAVI
    [notice] = wait_for(lambda: _alerts_told(stack, anna), what="the alert's notice")
    assert notice["title"] == "New training for your alert: TAVI for fellows"
    assert notice["link"].endswith(f"/trainings/{training['id']}") and "TAVI in Paris" in notice["body"]
    queued = f"{anna['id']}:alert:{made.json()['id']}:{training['id']}"
    wait_for(lambda: stack.db.outbox.count_documents({"_id": queued}) == 1,
             what="the alert's e-mail queued")  # fmt: skip
    raised = api.call("PATCH", f"/api/v1/trainings/{training['id']}", expert["token"], json={"capacity": 6})
    assert raised.status_code == 200
    later = api.published_training(expert, title="TAVI, second session")
    wait_for(lambda: len(_alerts_told(stack, anna)) == 2, what="the second session announced")
    assert [n["link"].rsplit("/", 1)[-1] for n in _alerts_told(stack, anna)] == [later["id"], training["id"]]
    assert _alerts_told(stack, ben) == []  # PCNL: not for him

    alert_id = made.json()["id"]
    assert api.call("DELETE", f"/api/v1/me/alerts/{alert_id}", ben["token"]).status_code == 404
    assert api.call("DELETE", f"/api/v1/me/alerts/{alert_id}", anna["token"]).status_code == 204
    assert api.call("GET", "/api/v1/me/alerts", anna["token"]).json()["items"] == []


def test_the_alerts_page_makes_and_deletes_an_alert(stack: Stack) -> None:
    api = stack.api
    anna = api.user("trainee", "Anna Karlsson")
    web, csrf = api.web_session(anna["email"])
    base = api.base_url
    refused = web.post(f"{base}/me/alerts", data={"csrf": csrf, "name": "Anything"})
    assert refused.status_code == 422 and "Name at least one of" in html.unescape(refused.text)
    made = web.post(f"{base}/me/alerts", data={"csrf": csrf_of(refused.text), "name": "Lyon", "city": "Lyon",
                                               "delivery": "daily"})  # fmt: skip
    text = page_text(made.text)
    assert made.status_code == 200 and "city: Lyon" in text and "One digest a day" in text
    [alert] = api.call("GET", "/api/v1/me/alerts", anna["token"]).json()["items"]
    assert alert["delivery"] == "daily" and alert["filters"] == {"city": "Lyon"}
    gone = web.post(f"{base}/me/alerts/{alert['id']}/delete", data={"csrf": csrf_of(made.text)})
    assert gone.status_code == 200 and "No alert yet." in gone.text
