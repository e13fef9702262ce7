"""The web pages that e-mails and the inbox link to: every link opens a page a person can read.

Pages that need an account send a signed-out visitor to the sign-in page first, then back
(the web layer's ``require_web_user``). The paths are the web blueprint's (``api/web``); a
test follows every link of every e-mail to make sure each one opens a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Links:
    """Absolute links under the marketplace's public address."""

    base_url: str

    def _at(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}{path}"

    def booking(self, booking_id: str) -> str:
        """A trainee's booking: status, payment, terms."""
        return self._at(f"/bookings/{quote(booking_id)}")

    def my_bookings(self) -> str:
        """A trainee's bookings."""
        return self._at("/me/bookings")

    def training(self, training_id: str) -> str:
        """A training's public page."""
        return self._at(f"/trainings/{quote(training_id)}")

    def reviews(self, training_id: str) -> str:
        """The reviews on a training's page."""
        return self.training(training_id) + "#reviews"

    def questions(self, training_id: str) -> str:
        """The questions and answers on a training's page."""
        return self.training(training_id) + "#questions"

    def expert_questions(self, training_id: str) -> str:
        """The questions waiting for the expert's answer, on their page of the training."""
        return self.expert_training(training_id) + "#questions"

    def expert_training(self, training_id: str) -> str:
        """The expert's own page of a training: requests to approve, waitlist, attendees, demos proposed."""
        return self._at(f"/me/trainings/{quote(training_id)}")

    def credentials(self) -> str:
        """An expert's credentials and verification status."""
        return self._at("/me/credentials")

    def certificates(self) -> str:
        """A trainee's certificates of attendance."""
        return self._at("/me/certificates")

    def messages(self, booking_id: str) -> str:
        """The private follow-up thread of a booking, after the day."""
        return self._at(f"/bookings/{quote(booking_id)}/messages")

    def alerts(self) -> str:
        """A person's saved searches."""
        return self._at("/me/alerts")

    def portfolio(self) -> str:
        """A trainee's learning record: attended trainings, credits, certificates, assessments."""
        return self._at("/me/portfolio")

    def sponsorship(self, sponsorship_id: str) -> str:
        """A sponsor's purchase: payment, vouchers, redemptions."""
        return self._at(f"/sponsorships/{quote(sponsorship_id)}")

    def admin_experts(self) -> str:
        """The admin's desk of experts to verify."""
        return self._at("/admin/experts")

    def admin_messages(self) -> str:
        """The moderation desk of reported follow-up messages."""
        return self._at("/admin/messages")

    def admin_questions(self) -> str:
        """The moderation desk of reported questions."""
        return self._at("/admin/questions")

    def preferences(self) -> str:
        """What reaches a person on which channel."""
        return self._at("/me/notification-preferences")

    def verify_email(self, token: str) -> str:
        """The page that marks an address verified (core/signed_links.py signs the token)."""
        return self._at(f"/verify-email/{quote(token)}")

    def reset_password(self, token: str) -> str:
        """The page that sets a new password with a reset link's token."""
        return self._at(f"/reset-password/{quote(token)}")

    def account(self) -> str:
        """A person's account: password, sessions, export, closing it."""
        return self._at("/me/account")

    def unsubscribe(self, token: str) -> str:
        """The one-click unsubscribe of one category of e-mails (RFC 8058)."""
        return self._at(f"/unsubscribe/{token}")
