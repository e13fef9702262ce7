"""Which failures are the infrastructure's (retry until it is back) rather than the message's."""

from __future__ import annotations

from kafka.errors import KafkaError
from pymongo.errors import AutoReconnect, ConnectionFailure, ServerSelectionTimeoutError

from core.errors import Unavailable

# A message is never dead-lettered because MongoDB, the broker, Stripe or the SMTP
# server was down: those are retried without bound (with backoff) until they answer.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    Unavailable,
    AutoReconnect,
    ConnectionFailure,
    ServerSelectionTimeoutError,
    KafkaError,
)
