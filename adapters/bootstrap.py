"""The one place that wires adapters into the core's dependencies, for API and workers."""

from __future__ import annotations

from email.utils import parseaddr

from pymongo.database import Database

from adapters import l10n
from adapters.catalogue_view import LiveCatalogue
from adapters.config import Config
from adapters.email_render import JinjaEmailRenderer
from adapters.kafka_bus import KafkaPublisher
from adapters.logs import configure_logging
from adapters.mongo import (
    MongoProcessedEvents,
    MongoProviderEvents,
    MongoRateLimits,
    MongoSessions,
    MongoUsers,
    connect,
    create_indexes,
    ping,
)
from adapters.mongo_alerts import MongoAlertMatches, MongoAlerts, create_alert_indexes
from adapters.mongo_assessments import MongoAssessments, MongoFollowUps, create_assessment_indexes
from adapters.mongo_bookings import MongoBookings
from adapters.mongo_catalogue import MongoTrainings
from adapters.mongo_deferred import MongoDeferredEvents, create_deferred_indexes
from adapters.mongo_goals import MongoGoals
from adapters.mongo_ledger import MongoLedger, create_ledger_indexes
from adapters.mongo_media import GridFSMedia, create_media_indexes
from adapters.mongo_notifications import (
    MongoInbox,
    MongoNotificationPreferences,
    MongoOutbox,
    create_notification_indexes,
)
from adapters.mongo_pending import MongoPendingEvents
from adapters.mongo_questions import MongoQuestions, create_question_indexes
from adapters.mongo_records import MongoCertificates, MongoReviews, create_record_indexes
from adapters.mongo_seats import MongoSeats
from adapters.mongo_sponsors import MongoDemos, MongoSponsorships, MongoVouchers, create_sponsor_indexes
from adapters.outcomes import KafkaOutcomes
from adapters.pdf_certificates import ReportlabCertificates
from adapters.pdf_portfolio import ReportlabPortfolio
from adapters.pictures import PillowEncoder
from adapters.security import WerkzeugHasher
from adapters.smtp_mailer import SmtpMailer
from adapters.stripe_gateway import StripeGateway
from core.fees import FeePolicy, basis_points
from core.services.deps import Deps, Policy
from core.services.limits import Limit


def bootstrap(config: Config, create_db_indexes: bool = True, for_api: bool = False) -> Deps:
    """Build every adapter from ``config`` (nothing connects before first use).

    ``for_api``: an API process's adapters: sessions and users read from memory, kept right by
    change streams (adapters/watched.py); the decisions its requests wait for
    (adapters/outcomes.py); and searches served from the catalogue in memory, which loads on the
    first search and follows the database from then on (adapters/catalogue_view.py). Elsewhere
    each of them asks the database.
    """
    # The first call in a process decides its name in the logs (workers.launch.main names its group).
    configure_logging("api" if for_api else "marketplace", config.log_level)
    db = connect(config.mongodb_uri, config.mongodb_database)
    if create_db_indexes:
        create_database_indexes(db)
    publisher = KafkaPublisher(
        config.kafka_bootstrap_servers, config.kafka_topic_prefix, config.publish_timeout_seconds
    )
    sender_address = parseaddr(config.mail_from)[1] or "no-reply@marketplace.local"
    return Deps(
        publisher=publisher,
        pending_events=MongoPendingEvents(db),
        users=MongoUsers(db, watched=for_api),
        sessions=MongoSessions(db, watched=for_api),
        trainings=MongoTrainings(db),
        bookings=MongoBookings(db),
        seats=MongoSeats(db),
        payments=StripeGateway(config.stripe_api_key, config.stripe_api_base, config.stripe_webhook_secret),
        provider_events=MongoProviderEvents(db),
        inbox=MongoInbox(db),
        outbox=MongoOutbox(db),
        preferences=MongoNotificationPreferences(db),
        renderer=JinjaEmailRenderer(),
        wordings=l10n.wording,
        mailer=SmtpMailer(config.smtp_url, config.mail_from),
        ledger=MongoLedger(db),
        processed=MongoProcessedEvents(db),
        deferred=MongoDeferredEvents(db),
        demos=MongoDemos(db),
        sponsorships=MongoSponsorships(db),
        vouchers=MongoVouchers(db),
        certificates=MongoCertificates(db),
        certificate_renderer=ReportlabCertificates(),
        portfolio_renderer=ReportlabPortfolio(),
        reviews=MongoReviews(db),
        goals=MongoGoals(db),
        assessments=MongoAssessments(db),
        follow_ups=MongoFollowUps(db),
        alerts=MongoAlerts(db),
        alert_matches=MongoAlertMatches(db),
        questions=MongoQuestions(db),
        rate_limits=MongoRateLimits(db),
        images=PillowEncoder(),
        media=GridFSMedia(db),
        hasher=WerkzeugHasher(),
        policy=Policy(
            token_ttl_seconds=config.token_ttl_seconds,
            default_hold_minutes=config.default_hold_minutes,
            public_base_url=config.public_base_url,
            organizer_email=sender_address,
            calendar_domain=sender_address.rpartition("@")[2] or "marketplace.local",
            reminder_hours=config.reminder_hours,
            certificate_key=config.certificate_signing_key.encode(),
            # The web pages' secret also signs the e-mails' unsubscribe links: the page that
            # reads them is the web's, and the notifications worker shares the environment.
            link_key=config.web_secret_key.encode(),
            logins_per_account=Limit.parse(config.logins_per_account),
            failed_logins_per_client=Limit.parse(config.failed_logins_per_client),
            bookings_per_trainee=Limit.parse(config.bookings_per_trainee),
            messages_per_user=Limit.parse(config.messages_per_user),
            questions_per_trainee=Limit.parse(config.questions_per_trainee),
            fees=FeePolicy(
                service_fee_bp=basis_points(config.service_fee_percent),
                platform_fee_bp=basis_points(config.platform_fee_percent),
            ),
        ),
        health_checks={"broker": publisher.reachable, "database": lambda: ping(db)},
        catalogue=LiveCatalogue(db) if for_api else None,
        **({"outcomes": KafkaOutcomes(config.kafka_bootstrap_servers, config.kafka_topic_prefix)} if for_api else {}),
    )


def create_database_indexes(db: Database) -> None:
    """Every index of every repository (idempotent): what the application and the tests' databases start with."""
    create_indexes(db)
    create_sponsor_indexes(db)
    create_ledger_indexes(db)
    create_notification_indexes(db)
    create_record_indexes(db)
    create_question_indexes(db)
    create_deferred_indexes(db)
    create_assessment_indexes(db)
    create_alert_indexes(db)
    create_media_indexes(db)


def release(deps: Deps) -> None:
    """Close what ``bootstrap`` opened: the producer (flushed), the catalogue's stream and the database client.

    A process that exits needs none of it; a test session that builds hundreds of stacks in
    one process does, or their background threads keep polling a broker whose topics are gone.
    """
    for part in (deps.publisher, deps.users, deps.sessions, deps.outcomes, deps.catalogue):
        close = getattr(part, "close", None)
        if close is not None:
            close()
    deps.users._c.database.client.close()  # type: ignore[attr-defined]
