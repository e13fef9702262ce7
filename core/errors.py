"""Domain errors; the API maps each to one HTTP status in one place."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a use case raises on purpose."""

    code = "error"

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class ValidationError(DomainError):
    """Input that breaks a business rule; ``errors`` names the fields."""

    code = "validation_error"


class TooLarge(DomainError):
    """An upload over its size limit; the message says the limit, ``errors`` names the field."""

    code = "too_large"


class NotFound(DomainError):
    """No such aggregate, or not one the caller may know of."""

    code = "not_found"


class Conflict(DomainError):
    """The request does not fit the aggregate's current state."""

    code = "conflict"


class Unauthorized(DomainError):
    """No valid credentials."""

    code = "unauthorized"


class Forbidden(DomainError):
    """Valid credentials, wrong role or not the owner."""

    code = "forbidden"


class RateLimited(DomainError):
    """Too many attempts of one kind in a short time; ``retry_after_s`` says when to try again."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Unavailable(DomainError):
    """A backing service (broker, database, payment provider) cannot take the request now."""

    code = "unavailable"


class PublishFailed(Unavailable):
    """The broker did not acknowledge an event: nothing was accepted."""

    code = "broker_unavailable"


class MailRefused(DomainError):
    """The mail server refused one message (a bad recipient, say): others may still go."""

    code = "mail_refused"


class PaymentDeclined(DomainError):
    """The payment provider refused the payment method; ``message`` is its reason."""

    code = "payment_declined"

    def __init__(self, message: str, decline_code: str | None = None) -> None:
        super().__init__(message)
        self.decline_code = decline_code


class InvalidSignature(DomainError):
    """A webhook whose signature does not verify."""

    code = "invalid_signature"


class NeedsReconciliation(DomainError):
    """An event that cannot be applied to the aggregate's state; goes to the dead letters."""

    code = "needs_reconciliation"
