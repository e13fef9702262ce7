"""Configuration: one frozen dataclass built from the environment; tests pass overrides."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class Config:
    """Everything a process needs to reach its services; only URLs and knobs, no code paths."""

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_topic_prefix: str = "marketplace."
    mongodb_uri: str = "mongodb://127.0.0.1:27017/?retryWrites=false"
    mongodb_database: str = "marketplace"
    stripe_api_base: str = "http://127.0.0.1:8420"
    stripe_api_key: str = "sk_test_marketplace"
    stripe_publishable_key: str = "pk_test_marketplace"
    stripe_webhook_secret: str = "whsec_marketplace_dev"
    # Stripe.js for the payment page: Stripe's own in production; localstripe serves a fake.
    stripe_js_url: str = "https://js.stripe.com/v3/"
    smtp_url: str = "smtp://127.0.0.1:8025"
    mail_from: str = "Marketplace <no-reply@marketplace.local>"
    public_base_url: str = "http://127.0.0.1:8000"
    # Signs the web pages' session cookie; set your own secret in every deployment.
    web_secret_key: str = "dev-only-web-secret-change-me"
    # Signs certificates of attendance (their verification codes); changing it voids every code issued.
    certificate_signing_key: str = "dev-only-certificate-key-change-me"
    token_ttl_seconds: int = 12 * 3600
    default_hold_minutes: int = 30
    # What the platform takes: a service fee the trainee pays on top of the price (never
    # refunded) and a commission out of the price; the expert is owed the rest.
    service_fee_percent: float = 5.0
    platform_fee_percent: float = 10.0
    publish_timeout_seconds: float = 10.0
    worker_max_attempts: int = 3
    expiry_sweep_seconds: float = 15.0
    # How often the capacity worker publishes events an API process stored but did not send.
    event_relay_seconds: float = 5.0
    completion_sweep_seconds: float = 600.0  # how often ended trainings are completed (capacity worker)
    outbox_send_seconds: float = 1.0  # how often the notifications worker sends queued e-mails
    reminder_sweep_seconds: float = 300.0  # how often it looks for trainings starting within REMINDER_HOURS
    reminder_hours: int = 24
    # Rate limits, COUNT/PERIOD (e.g. 10/minute, 30/10 minutes), counted in MongoDB so every
    # API process shares them: sign-ins per account, failed sign-ins per client address, and
    # booking requests per trainee, follow-up messages per author, questions to experts per trainee.
    logins_per_account: str = "10/minute"
    failed_logins_per_client: str = "30/10 minutes"
    bookings_per_trainee: str = "20/minute"
    messages_per_user: str = "30/hour"
    questions_per_trainee: str = "10/hour"
    # Password resets: how long a link works (at most an hour), and requests per e-mail address and
    # per client address (the same for addresses with and without an account).
    password_reset_ttl_seconds: int = 3600
    password_resets_per_address: str = "3/hour"
    password_resets_per_client: str = "20/hour"
    # How many reverse proxies in front of the API set X-Forwarded-For/-Proto (0: none, so
    # the client address is the socket's). Too high lets clients choose their own address.
    proxy_hops: int = 0
    log_level: str = "INFO"
    # A worker's own HTTP port: /metrics (Prometheus), /healthz (alive), /readyz (consuming).
    # The API serves the same on its own port. 0: no worker HTTP server.
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 9100
    # /readyz says "not ready" when the group has more records than this waiting on one partition.
    ready_max_lag: int = 1000
    # How often a worker reads its gauges that live in the database (the e-mail outbox's depth).
    gauge_sample_seconds: float = 15.0
    # How often the payments worker compares the last day's ledger with Stripe (0: never).
    reconcile_seconds: float = 3600.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        """Read ``KAFKA_BOOTSTRAP_SERVERS``, ``MONGODB_URI``... (upper-case field names)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f.name.upper())
            if raw is None or raw == "":
                continue
            kind = type(getattr(cls(), f.name))
            values[f.name] = kind(raw)
        return replace(cls(**values), **overrides)
