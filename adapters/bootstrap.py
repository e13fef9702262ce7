"""The one place that wires adapters into the core's dependencies, for API and workers."""

from __future__ import annotations

import logging

from adapters.config import Config
from adapters.kafka_bus import KafkaPublisher
from adapters.mongo import (
    MongoInbox,
    MongoProcessedEvents,
    MongoProviderEvents,
    MongoSentEmails,
    MongoSessions,
    MongoUsers,
    connect,
    create_indexes,
    ping,
)
from adapters.mongo_bookings import MongoBookings, MongoSeats
from adapters.mongo_catalogue import MongoTrainings
from adapters.mongo_ledger import MongoLedger, create_ledger_indexes
from adapters.mongo_sponsors import MongoDemos, MongoSponsorships, MongoVouchers, create_sponsor_indexes
from adapters.security import WerkzeugHasher
from adapters.smtp_mailer import SmtpMailer
from adapters.stripe_gateway import StripeGateway
from core.fees import FeePolicy, basis_points
from core.services.deps import Deps, Policy


def bootstrap(config: Config, create_db_indexes: bool = True) -> Deps:
    """Build every adapter from ``config`` (nothing connects before first use)."""
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # kafka-python narrates every connection at INFO; its warnings are what matter.
    logging.getLogger("kafka").setLevel(max(logging.WARNING, logging.getLogger().level))
    db = connect(config.mongodb_uri, config.mongodb_database)
    if create_db_indexes:
        create_indexes(db)
        create_sponsor_indexes(db)
        create_ledger_indexes(db)
    publisher = KafkaPublisher(
        config.kafka_bootstrap_servers, config.kafka_topic_prefix, config.publish_timeout_seconds
    )
    return Deps(
        publisher=publisher,
        users=MongoUsers(db),
        sessions=MongoSessions(db),
        trainings=MongoTrainings(db),
        bookings=MongoBookings(db),
        seats=MongoSeats(db),
        payments=StripeGateway(config.stripe_api_key, config.stripe_api_base, config.stripe_webhook_secret),
        provider_events=MongoProviderEvents(db),
        inbox=MongoInbox(db),
        mailer=SmtpMailer(config.smtp_url, config.mail_from),
        sent_emails=MongoSentEmails(db),
        ledger=MongoLedger(db),
        processed=MongoProcessedEvents(db),
        demos=MongoDemos(db),
        sponsorships=MongoSponsorships(db),
        vouchers=MongoVouchers(db),
        hasher=WerkzeugHasher(),
        policy=Policy(
            token_ttl_seconds=config.token_ttl_seconds,
            default_hold_minutes=config.default_hold_minutes,
            public_base_url=config.public_base_url,
            fees=FeePolicy(
                service_fee_bp=basis_points(config.service_fee_percent),
                platform_fee_bp=basis_points(config.platform_fee_percent),
            ),
        ),
        health_checks={"broker": publisher.reachable, "database": lambda: ping(db)},
    )
