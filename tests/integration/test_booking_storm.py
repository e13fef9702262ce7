"""500 concurrent requests on a 20-seat training, with cancellations, expiries and declined
cards, two capacity workers: never oversold, nothing lost, the waitlist served in order,
and the money adds up."""

from __future__ import annotations

import dataclasses
import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import stripe

from core.handlers.releases import sweep_expired_holds
from core.model import Role
from devstack.accounts import token_accounts
from tests.support import Stack, wait_for

CAPACITY, REQUESTS, PRICE = 20, 500, 10000
SEATED = ("held", "pending_approval", "confirmed")
FINAL_OR_WAITING = {"confirmed", "cancelled", "expired", "rejected", "waitlisted"}


def _applied(stack: Stack, due: dict[str, Any]) -> bool:
    """Each swept hold is gone: expired, paid just in time, or re-seated."""
    docs = stack.db.bookings.find({"_id": {"$in": list(due)}})
    return all(not (d["status"] == "held" and d.get("expires_at") == due.get(d["_id"])) for d in docs)


class Sampler(threading.Thread):
    """Reads the seat counter and the seated bookings every 100 ms."""

    def __init__(self, stack: Stack, training_id: str) -> None:
        super().__init__(daemon=True)
        self.stack, self.training_id = stack, training_id
        self.samples: list[tuple[int, int]] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.wait(0.1):
            seats = self.stack.deps.seats.snapshot(self.training_id) or {"holders": []}
            seated = self.stack.db.bookings.count_documents(
                {"training_id": self.training_id, "status": {"$in": list(SEATED)}}
            )
            self.samples.append((len(seats["holders"]), seated))


@pytest.mark.slow
def test_a_storm_of_bookings_never_oversells_and_the_money_adds_up(stack: Stack) -> None:
    rng = random.Random(20261121)
    stack.start_worker("capacity")  # two members of the capacity group
    api = stack.api
    expert = api.expert()
    training = api.published_training(expert, capacity=CAPACITY, price=PRICE)
    tid = training["id"]
    trainees = token_accounts(stack.deps, Role.TRAINEE, REQUESTS, "storm", timedelta(hours=2))
    by_trainee = {t["id"]: t for t in trainees}
    sampler = Sampler(stack, tid)
    sampler.start()
    try:
        _storm(stack, api, tid, trainees, by_trainee, rng, sampler)
    finally:
        sampler.halt.set()
        sampler.join()


def _storm(stack: Stack, api: Any, tid: str, trainees: list[dict[str, Any]], by_trainee: dict[str, Any],
           rng: random.Random, sampler: Sampler) -> None:  # fmt: skip

    with ThreadPoolExecutor(max_workers=32) as pool:
        answers = list(pool.map(lambda t: api.call("POST", f"/api/v1/trainings/{tid}/bookings", t["token"]), trainees))
    assert sorted({a.status_code for a in answers}) == [202]
    ids = [a.json()["booking"]["id"] for a in answers]

    def docs() -> list[dict[str, Any]]:
        return list(stack.db.bookings.find({"training_id": tid}))

    def settled() -> list[dict[str, Any]] | None:
        """Quiet: every request decided, every hold payable, and no seat free while someone waits."""
        current = docs()
        held_ready = all(d["payment"].get("intent_id") for d in current if d["status"] == "held")
        undecided = [d for d in current if d["status"] == "requested"]
        seats = stack.deps.seats.snapshot(tid) or {"holders": [], "waitlist": []}
        seated = {d["_id"] for d in current if d["status"] in SEATED}
        in_step = set(seats["holders"]) == seated and (len(seats["holders"]) == CAPACITY or not seats["waitlist"])
        return current if len(current) == REQUESTS and not undecided and held_ready and in_step else None

    # A generous bound: how fast 500 decisions go depends on the machine, not on correctness.
    wait_for(settled, timeout=360, what="every request decided")
    acted: set[str] = set()
    cancels: set[str] = set()
    paying: set[str] = set()
    for round_ in range(40):
        current = wait_for(settled, timeout=60, what=f"round {round_} settled")
        held = [d for d in current if d["status"] in ("held", "pending_approval")]
        if not held:
            break
        for doc in held:
            if doc["_id"] in acted:
                continue  # declined, or left to run out: the sweep below expires it
            acted.add(doc["_id"])
            trainee = by_trainee[doc["trainee_id"]]
            roll = rng.random()
            path = f"/api/v1/bookings/{doc['_id']}"
            if roll < 0.55:
                api.call("POST", f"{path}/payment", trainee["token"], json={"payment_method": "pm_card_visa"})
                paying.add(doc["_id"])
            elif roll < 0.70:
                api.call("POST", f"{path}/payment", trainee["token"],
                         json={"payment_method": "pm_card_chargeCustomerFail"})  # fmt: skip
                paying.add(doc["_id"])
            elif roll < 0.85:
                api.call("POST", f"{path}/cancel", trainee["token"])
                cancels.add(doc["_id"])
            # else: left to expire
        if round_ < 3:
            confirmed = [d for d in current if d["status"] == "confirmed"]
            for doc in rng.sample(confirmed, k=min(2, len(confirmed))):
                api.call("POST", f"/api/v1/bookings/{doc['_id']}/cancel", by_trainee[doc["trainee_id"]]["token"])
                cancels.add(doc["_id"])
        # Every cancellation asked for lands (cancelled, or expired first) before going on.
        wait_for(lambda: all(d["status"] in ("cancelled", "expired") for d in
                             stack.db.bookings.find({"_id": {"$in": list(cancels)}})),
                 timeout=120, what="cancellations applied")  # fmt: skip
        # Let every submitted payment land - confirmed, or declined and recorded - before
        # the clock jumps; then everything still unpaid runs out of time.
        wait_for(lambda: all(d["status"] != "held" or d["payment"].get("failure")
                             for d in stack.db.bookings.find({"_id": {"$in": list(paying)}})),
                 timeout=120, what="payments landed")  # fmt: skip
        paying.clear()
        later = dataclasses.replace(stack.deps, clock=lambda: datetime.now(UTC) + timedelta(minutes=31))
        due = {b.id: b.expires_at for b in stack.deps.bookings.due_for_expiry(later.clock(), 1000)}
        sweep_expired_holds(later)
        wait_for(lambda due=due: _applied(stack, due), timeout=120, what="the sweep's expiries applied")
    else:
        held_now = [
            (d["_id"][:8], [x["step"] for x in d["history"]], d["payment"].get("status"), d["_id"] in acted)
            for d in docs()
            if d["status"] == "held"
        ]
        pytest.fail(f"the storm did not drain in 40 rounds: {Counter(d['status'] for d in docs())} {held_now}")
    final = wait_for(settled, timeout=60, what="quiet at the end")
    sampler.halt.set()

    # Never oversold, at any moment sampled.
    assert sampler.samples and max(h for h, _ in sampler.samples) <= CAPACITY
    assert max(s for _, s in sampler.samples) <= CAPACITY
    # Nothing lost: every request reached a final or waiting state.
    statuses = {d["_id"]: d["status"] for d in final}
    assert set(statuses) == set(ids)
    odd = [(d["_id"][:8], d["status"], [(x["step"], str(x["at"])[11:23]) for x in d["history"]], d["payment"])
           for d in final if d["status"] not in FINAL_OR_WAITING]  # fmt: skip
    assert set(statuses.values()) <= FINAL_OR_WAITING, odd
    confirmed = [d for d in final if d["status"] == "confirmed"]
    seats = stack.deps.seats.snapshot(tid)
    by_id = {d["_id"]: d for d in final}
    leaked = [(h[:8], by_id[h]["status"], [x["step"] for x in by_id[h]["history"]], by_id[h]["payment"].get("status"))
              for h in seats["holders"] if by_id[h]["status"] != "confirmed"]  # fmt: skip
    assert sorted(seats["holders"]) == sorted(d["_id"] for d in confirmed), leaked
    waiting = [d for d in final if d["status"] == "waitlisted"]
    assert len(confirmed) == CAPACITY, (  # the waitlist was long enough to fill every freed seat
        Counter(d["status"] for d in final),
        len(seats["waitlist"]),
        seats["capacity"],
        len(waiting),
        [(d["_id"][:8], [h["step"] for h in d["history"]]) for d in final if d["status"] == "expired"][:5],
    )
    # The waitlist was served in order: promotions follow the original positions, and
    # everyone still waiting came after everyone promoted.
    promoted = sorted(
        (next(s["at"] for s in d["history"] if s["step"] in ("held", "pending_approval")), d["waitlist_position"])
        for d in final if d.get("waitlist_position") and d["status"] != "waitlisted"
        and any(s["step"] in ("held", "pending_approval") for s in d["history"])
    )  # fmt: skip
    positions = [p for _, p in promoted]
    assert positions == sorted(positions)
    still_waiting = [d["waitlist_position"] for d in final if d["status"] == "waitlisted"]
    assert not positions or not still_waiting or max(positions) < min(still_waiting)
    # The money adds up: what Stripe kept of each booking is what its final status says,
    # and the ledger holds the same sum.
    client = stripe.StripeClient(stack.config.stripe_api_key, base_addresses={"api": stack.config.stripe_api_base})
    kept: dict[str, int] = {}
    for doc in final:
        intent_id = doc["payment"].get("intent_id")
        if not intent_id:
            continue
        intent = client.v1.payment_intents.retrieve(intent_id)
        if intent.status == "succeeded":
            refunds = client.v1.refunds.list(params={"payment_intent": intent_id}).data
            kept[doc["_id"]] = intent.amount - sum(r.amount for r in refunds)
    by_id = {d["_id"]: d for d in final}
    # A seat once confirmed keeps its price less the policy's refund; any other payment goes back whole.
    due = {
        b: (by_id[b]["amount"] - (by_id[b].get("refund_amount") or 0))
        if any(h["step"] == "confirmed" for h in by_id[b]["history"]) else 0
        for b in kept
    }  # fmt: skip
    assert kept == due
    assert sum(d["amount"] for d in confirmed) == CAPACITY * (PRICE + stack.deps.policy.fees.service_fee(PRICE))
    wait_for(
        lambda: sum(e["gross"] for e in stack.db.ledger.find({}, {"gross": 1})) == sum(kept.values()),
        what="the ledger to hold what Stripe kept",
    )
