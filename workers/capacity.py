"""Capacity worker: the single writer of seats (holds, waitlist, confirmations)."""

from __future__ import annotations

from collections.abc import Callable

from adapters.config import Config
from core.handlers import confirmations, releases, seat_requests, seats
from core.handlers.releases import sweep_expired_holds
from core.services.announce import relay_pending
from core.services.attendance import complete_finished_trainings
from core.services.deps import Deps
from events.types import Topic
from workers.launch import main as run
from workers.runner import merge_handlers

GROUP = "capacity"
HANDLERS = merge_handlers(seats.HANDLERS, releases.HANDLERS, confirmations.HANDLERS)
# A training's seat events are applied in one order, by one member: they all travel on
# BOOKINGS, keyed by the training. Payments confirm seats already held, on PAYMENTS, keyed
# the same way, so the same member applies them (see ``KafkaSource``), without waiting
# behind the requests queued on BOOKINGS. A training's completion (on TRAININGS, keyed the
# same way) closes the requests still waiting.
TOPICS = (Topic.BOOKINGS, Topic.PAYMENTS, Topic.TRAININGS)
# A storm's requests are decided a poll at a time (core/handlers/seat_requests.py): the more a
# poll holds, the fewer round trips each request costs (bench/RESULTS.md, run 6).
BATCH_HANDLERS = seat_requests.BATCH_HANDLERS
MAX_POLL_RECORDS = 500


def periodic(config: Config) -> list[tuple[float, Callable[[Deps], object]]]:
    """Announce expired holds every ``EXPIRY_SWEEP_SECONDS``; complete ended trainings every
    ``COMPLETION_SWEEP_SECONDS``; relay the API's unsent events every ``EVENT_RELAY_SECONDS``."""
    return [
        (config.expiry_sweep_seconds, sweep_expired_holds),
        (config.event_relay_seconds, relay_pending),
        (config.completion_sweep_seconds, complete_finished_trainings),
    ]


def main() -> None:
    """Run the capacity consumer group member until SIGTERM."""
    run(GROUP, HANDLERS, TOPICS, periodic, batch_handlers=BATCH_HANDLERS, max_poll_records=MAX_POLL_RECORDS)


if __name__ == "__main__":
    main()
