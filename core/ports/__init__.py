"""The ports: what the use cases need from the outside world, as Protocols, one module per area.

Use cases import them from here (``from core.ports import Bookings``); adapters implement them.
"""

from __future__ import annotations

from core.ports.accounts import RateLimits, Sessions, Users
from core.ports.alerts import AlertMatches, Alerts
from core.ports.assessments import Assessments, FollowUps
from core.ports.bookings import Bookings, Seats
from core.ports.catalogue import Catalogue, TrainingQuery, Trainings
from core.ports.goals import Goals
from core.ports.messaging import DeferredEvents, EventPublisher, Outcomes, PendingEvents, ProcessedEvents
from core.ports.notifications import (
    Attachment,
    CalendarFile,
    Email,
    EmailRenderer,
    Inbox,
    Mailer,
    Notification,
    NotificationPreferences,
    Outbox,
    QueuedEmail,
    RenderedEmail,
)
from core.ports.payments import (
    Ledger,
    PaymentGateway,
    PaymentIntent,
    ProviderEvent,
    ProviderEvents,
    ProviderPayment,
    ProviderRefund,
)
from core.ports.pictures import EncodedImage, ImageEncoder, MediaStore, StoredMedia
from core.ports.questions import Questions
from core.ports.records import CertificateRenderer, Certificates, PortfolioRenderer, Reviews
from core.ports.sponsors import Demos, Sponsorships, Vouchers
from core.ports.wording import Wording, Wordings

__all__ = [
    "AlertMatches",
    "Alerts",
    "Assessments",
    "Attachment",
    "Bookings",
    "Catalogue",
    "CertificateRenderer",
    "Certificates",
    "Demos",
    "Email",
    "EmailRenderer",
    "EncodedImage",
    "EventPublisher",
    "FollowUps",
    "Goals",
    "ImageEncoder",
    "Inbox",
    "Ledger",
    "Mailer",
    "MediaStore",
    "CalendarFile",
    "Notification",
    "NotificationPreferences",
    "Outbox",
    "PaymentGateway",
    "PaymentIntent",
    "PendingEvents",
    "PortfolioRenderer",
    "DeferredEvents",
    "Outcomes",
    "ProcessedEvents",
    "ProviderEvent",
    "ProviderEvents",
    "ProviderPayment",
    "ProviderRefund",
    "RateLimits",
    "QueuedEmail",
    "Questions",
    "RenderedEmail",
    "Reviews",
    "Seats",
    "Sessions",
    "Sponsorships",
    "StoredMedia",
    "TrainingQuery",
    "Trainings",
    "Users",
    "Vouchers",
    "Wording",
    "Wordings",
]
