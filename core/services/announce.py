"""No state change without its event: the API's changes carry their events (a transactional outbox).

A use case stores its change together with the event announcing it, in one write of the
changed document (the repositories' ``announcing=``), then calls ``announce``: the document's
waiting events go to the broker, oldest first, and leave the document once acknowledged. If
the broker refuses, or the process dies in between, the change stands and the relay
(``relay_pending``, a periodic task of the capacity worker) sends them later under the same
event ids. Consumers apply an event id once, so an event sent twice is applied once.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from core.errors import PublishFailed
from core.services.deps import Deps

log = logging.getLogger(__name__)

# The relay leaves an event alone this long, so it does not race the API's own sending.
RELAY_GRACE = timedelta(seconds=5)
RELAY_BATCH = 200


def announce(deps: Deps, kind: str, doc_id: str) -> None:
    """Send what the document has waiting; the relay takes over if the broker is away."""
    try:
        send_pending(deps, kind, doc_id)
    except PublishFailed as exc:
        log.warning("%s %s: event kept for the relay (%s)", kind, doc_id, exc)


def send_pending(deps: Deps, kind: str, doc_id: str) -> int:
    """Publish the document's waiting events in order; how many the broker acknowledged."""
    sent: list[str] = []
    try:
        for event in deps.pending_events.of(kind, doc_id):
            deps.publisher.publish(event)
            sent.append(event.id)
    finally:
        deps.pending_events.sent(kind, doc_id, sent)
    return len(sent)


def relay_pending(deps: Deps) -> int:
    """Publish every event left waiting (its API process died, or the broker was away)."""
    relayed = 0
    for kind, doc_id in deps.pending_events.due(deps.clock() - RELAY_GRACE, RELAY_BATCH):
        relayed += send_pending(deps, kind, doc_id)
    if relayed:
        log.info("relayed %d waiting events", relayed)
    return relayed
