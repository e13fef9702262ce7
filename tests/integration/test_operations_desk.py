"""The admin's operations desk on the web: dead letters read and replayed once, consumer lag,
the reconciliation with Stripe and the payouts CSV; what the operator commands do, from a page."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import time
from datetime import UTC, datetime, timedelta

import pytest

from api import create_app
from api.operations import GROUP_TOPICS, lag
from devstack.services import free_port
from events.types import GROUPS, PARTITIONS
from tests.support import Stack, csrf_of, page_text, wait_for

PRICE = 45_000  # 450.00 EUR, with the 5 % service fee on top: 472.50 EUR charged, 405.00 EUR owed


def rows_of(html: str) -> list[list[str]]:
    """The cells of every body row of the page's tables, as a reader sees them."""
    body = "".join(re.findall(r"<tbody>(.*?)</tbody>", html, flags=re.S))
    return [[page_text(cell) for cell in re.findall(r"<td>(.*?)</td>", row, flags=re.S)]
            for row in re.findall(r"<tr\b.*?</tr>", body, flags=re.S)]  # fmt: skip


def pending_of(stack: Stack, group: str) -> int:
    return sum(r.pending for r in lag(stack.config, [group]))


@pytest.mark.slow
@pytest.mark.workers("capacity")
def test_a_dead_letter_is_read_on_the_desk_and_replayed_once_its_cause_is_fixed(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    desk, csrf = api.web_session(api.admin()["email"])
    base = f"{api.base_url}/admin/operations"
    wait_for(lambda: all(runner.source.assigned() for runner, _ in stack.runners), what="capacity in its group")
    stack.stop_workers()
    draft_id, request = stack.request_for_a_draft(expert, trainee, "b-desk")

    # Every group's every partition, and the one request the stopped capacity group has not read.
    lag_page = desk.get(f"{base}/lag")
    assert lag_page.status_code == 200, lag_page.text
    listed = {(r[0], r[1], int(r[2])): int(r[4]) for r in rows_of(lag_page.text)}
    assert set(listed) == {(g, t, p) for g in GROUPS for t in GROUP_TOPICS[g] for p in range(PARTITIONS)}
    assert sum(n for (g, t, _p), n in listed.items() if (g, t) == ("capacity", "bookings")) == 1
    waiting = sum(n for (g, _t, _p), n in listed.items() if g == "capacity")
    assert f"capacity: {waiting} pending record(s)" in page_text(lag_page.text)

    stack.start_worker("capacity")
    listing = wait_for(lambda: (p := desk.get(f"{base}/dead-letters/capacity")).text.count(request.id) and p,
                       timeout=60, what="the dead letter on the desk")  # fmt: skip
    [row] = rows_of(listing.text)
    ref = row[0]
    assert row[2] == f"booking.requested {request.id}"
    assert row[3].startswith(f"{stack.config.kafka_topic_prefix}bookings/")
    assert "NeedsReconciliation" in row[5] and "unknown training" in row[5] and row[6] == "not yet"
    assert row[4] == str(stack.config.worker_max_attempts)

    opened = desk.get(f"{base}/dead-letters/capacity/{ref}")
    shown = page_text(opened.text)
    assert opened.status_code == 200 and f"Dead letter {ref} of capacity" in shown
    assert "unknown training" in shown and "dlq.error_type NeedsReconciliation" in shown
    assert '"booking_id": "b-desk"' in opened.text.replace("&#34;", '"') and f"Key {draft_id}" in shown
    assert 'name="again"' not in opened.text  # offered only once it was replayed

    stack.complete_and_publish(expert, draft_id)
    replayed = desk.post(f"{base}/dead-letters/capacity/replay", data={"csrf": csrf, "ref": ref}, allow_redirects=False)
    assert replayed.status_code == 303, replayed.text
    after = desk.get(api.base_url + replayed.headers["Location"])
    assert "1 dead letter(s) replayed" in page_text(after.text)
    assert rows_of(after.text)[0][6].startswith("replayed ")
    held = stack.wait_status("b-desk", "held")  # the capacity group applied it this time
    assert [s["event_id"] for s in held["history"] if s["step"] == "requested"] == [request.id]
    [record] = stack.db.dead_letter_replays.find({"group": "capacity"})
    assert record["ref"] == ref

    # A second replay is refused without "again", and sends nothing.
    refused = desk.post(f"{base}/dead-letters/capacity/replay", data={"csrf": csrf, "ref": ref})
    assert refused.status_code == 409 and "replayed already" in page_text(refused.text)
    assert "Replay again" in page_text(desk.get(f"{base}/dead-letters/capacity/{ref}").text)
    everyone = desk.post(f"{base}/dead-letters/capacity/replay", data={"csrf": csrf, "all": "yes"})
    assert everyone.status_code == 409
    wait_for(lambda: pending_of(stack, "capacity") == 0, timeout=60, what="capacity lag 0")
    forced = desk.post(f"{base}/dead-letters/capacity/replay", data={"csrf": csrf, "ref": ref, "again": "yes"},
                       allow_redirects=False)  # fmt: skip
    assert forced.status_code == 303 and "sent=1" in forced.headers["Location"]
    wait_for(lambda: pending_of(stack, "capacity") == 0, timeout=60, what="capacity lag 0")
    assert stack.deps.seats.snapshot(draft_id)["holders"] == ["b-desk"]  # applied once, whatever the replays
    assert len(rows_of(desk.get(f"{base}/dead-letters/capacity").text)) == 1  # and no new dead letter

    unknown = desk.post(f"{base}/dead-letters/capacity/replay", data={"csrf": csrf, "ref": "9:999"})
    assert unknown.status_code == 404 and "no such dead letter in capacity: 9:999" in page_text(unknown.text)
    assert desk.post(f"{base}/dead-letters/capacity/replay", data={"ref": ref}).status_code == 400  # no CSRF token


@pytest.mark.workers("capacity", "payments")
def test_reconciliation_and_payouts_of_a_period_with_a_paid_booking(stack: Stack) -> None:
    api = stack.api
    # Stripe dates objects to the second and every test shares one Stripe: the period starts a
    # second after the previous test's last object (as test_payments_ledger's reconciliation).
    time.sleep(1.1)
    start = datetime.now(UTC).replace(microsecond=0)
    expert, trainee = api.expert("Dr Desk"), api.user("trainee")
    booking = stack.book(trainee, api.published_training(expert, price=PRICE))
    stack.pay(trainee, booking)
    stack.wait_status(booking, "confirmed")
    wait_for(lambda: stack.db.ledger.find_one({"reference": booking}), what="the ledger's charge")
    intent = stack.booking(booking)["payment"]["intent_id"]
    desk, _csrf = api.web_session(api.admin()["email"])
    reconciliation = f"{api.base_url}/admin/operations/reconciliation"

    # The booking's journey, as `flask trace` prints it.
    journey = f"{api.base_url}/admin/operations/journey"
    assert "Booking id" in page_text(desk.get(journey).text)
    shown = page_text(desk.get(journey, params={"booking_id": booking}).text)
    order = [shown.find(f" {t} ") for t in ("booking.requested", "booking.held", "payment.succeeded",
                                            "booking.confirmed")]  # fmt: skip
    assert -1 not in order and order == sorted(order), shown
    assert "capacity +" in shown and "payments +" in shown
    assert desk.get(journey, params={"booking_id": "no-such-booking"}).status_code == 404

    clean = desk.get(reconciliation, params={"from": start.strftime("%Y-%m-%dT%H:%M:%S"), "to": ""})
    assert clean.status_code == 200, clean.text
    assert "0 difference(s)" in page_text(clean.text) and "None: every charge" in page_text(clean.text)

    stack.db.ledger.update_one({"_id": f"charge:{intent}"}, {"$inc": {"gross": 1}})
    found = desk.get(reconciliation, params={"from": start.strftime("%Y-%m-%dT%H:%M:%S")})
    assert "1 difference(s)" in page_text(found.text)
    mismatch = ["amount mismatch", intent, "Stripe charged €472.50; the ledger says €472.51."]
    assert rows_of(found.text) == [mismatch]
    backwards = desk.get(reconciliation, params={"from": start.isoformat()[:19], "to": start.isoformat()[:16]})
    assert backwards.status_code == 400 and "Must be after 'from'." in page_text(backwards.text)
    assert "difference(s)" not in page_text(backwards.text)
    stack.db.ledger.update_one({"_id": f"charge:{intent}"}, {"$inc": {"gross": -1}})

    today = datetime.now(UTC).date()
    period = {"from": (today - timedelta(days=1)).isoformat(), "to": (today + timedelta(days=2)).isoformat()}
    payouts = desk.get(f"{api.base_url}/admin/operations/payouts", params=period)
    [line] = [r for r in rows_of(payouts.text) if r[0].startswith("Dr Desk")]
    assert line[1:] == ["1", "0", "€472.50", "€22.50", "€45.00", "€405.00"]
    link = re.search(r'href="([^"]+payouts\.csv[^"]*)"', payouts.text)
    assert link, "no download link on the payouts page"
    export = desk.get(api.base_url + link.group(1).replace("&amp;", "&"))
    assert export.status_code == 200 and export.headers["Content-Type"].startswith("text/csv")
    name = f"payouts-{period['from']}-{period['to']}.csv"
    assert export.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    [row] = [r for r in csv.DictReader(io.StringIO(export.text)) if r["expert_id"] == expert["id"]]
    assert (row["expert_name"], row["currency"], row["charges"], row["gross"], row["owed_to_expert"]) == (
        "Dr Desk", "EUR", "1", "472.50", "405.00",
    )  # fmt: skip
    bad = desk.get(f"{api.base_url}/admin/operations/payouts.csv", params={**period, "to": period["from"]})
    assert bad.status_code == 400 and bad.headers["Content-Type"].startswith("text/html")
    assert "Must be after 'from'." in page_text(bad.text)


DESK_PAGES = ("", "/dead-letters/capacity", "/dead-letters/capacity/0:0", "/lag", "/reconciliation?from=",
              "/payouts", "/payouts.csv")  # fmt: skip


@pytest.mark.workers()
def test_only_admins_reach_the_desk_and_a_silent_broker_is_said_so(stack: Stack) -> None:
    api = stack.api
    base = f"{api.base_url}/admin/operations"
    admin_view, _ = api.web_session(api.admin()["email"])
    assert "Operations" in page_text(admin_view.get(api.base_url + "/").text)  # in the admin's navigation
    assert admin_view.get(base).status_code == 200
    assert admin_view.get(f"{base}/dead-letters/nobody").status_code == 404
    for role in ("trainee", "expert", "sponsor"):
        view, csrf = api.web_session(api.user(role)["email"])
        assert "/admin/operations" not in view.get(api.base_url + "/").text
        for path in DESK_PAGES:
            assert view.get(base + path).status_code == 403, (role, path)
        replay = view.post(f"{base}/dead-letters/capacity/replay", data={"csrf": csrf, "all": "yes"})
        assert replay.status_code == 403, role
    for path in DESK_PAGES:
        anonymous = api.http.get(base + path, allow_redirects=False)
        assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login?next="), path
    assert stack.db.dead_letter_replays.count_documents({}) == 0

    # The same desk on a broker nobody listens on: a page that says so, at once.
    silent = create_app(dataclasses.replace(stack.config, kafka_bootstrap_servers=f"127.0.0.1:{free_port()}"),
                        deps=stack.deps).test_client()  # fmt: skip
    signed = silent.post("/login", data={"csrf": csrf_of(silent.get("/login").text), "email": api.admin()["email"],
                                         "password": "correct horse battery"})  # fmt: skip
    assert signed.status_code == 302
    for path in ("/dead-letters/capacity", "/lag"):
        began = time.monotonic()
        answer = silent.get(f"/admin/operations{path}")
        assert answer.status_code == 503 and time.monotonic() - began < 10, path
        assert "The event broker" in page_text(answer.text) and "does not answer" in page_text(answer.text)
