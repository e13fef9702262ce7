"""Certificates of attendance: issued when a training is completed, to each trainee marked present."""

from __future__ import annotations

from dataclasses import dataclass

from core.certificates import Certificate, draft_certificate, is_authentic, normalize_code, sign
from core.errors import NotFound
from core.model import BookingStatus, Role, TrainingStatus, User
from core.services.accounts import require_role
from core.services.deps import Deps
from events.envelope import Event, derived_id
from events.types import EventType


def verify_url(deps: Deps, code: str) -> str:
    """The public page where anyone checks a certificate's code."""
    return f"{deps.policy.public_base_url}/verify/{code}"


def issue_certificates(deps: Deps, event: Event) -> None:
    """On ``training.completed``: a signed certificate and its PDF for every trainee marked present.

    Idempotent: a certificate's id follows from its booking's, the first one stored is kept (with
    its code), a missing PDF is rendered again, and ``certificate.issued`` has a derived id.
    """
    training = deps.trainings.get(event.data["training_id"])
    if training is None or training.status is not TrainingStatus.COMPLETED:
        return
    present = [
        b
        for b in deps.bookings.live_on_training(training.id)
        if b.status is BookingStatus.CONFIRMED and b.attendance == "present"
    ]
    people = deps.users.many([b.trainee_id for b in present] + [training.expert_id])
    expert = people.get(training.expert_id)
    if expert is None:
        raise NotFound(f"The expert {training.expert_id} of training {training.id} has no account.")
    for booking in present:
        trainee = people.get(booking.trainee_id)
        if trainee is None:
            continue  # the account was deleted: nobody to give it to
        draft = draft_certificate(booking, training, trainee, expert, deps.clock())
        certificate = deps.certificates.add_once(sign(draft, deps.policy.certificate_key))
        if deps.certificates.pdf(certificate.id) is None:
            deps.certificates.set_pdf(certificate.id, _render(deps, certificate))
        deps.publisher.publish(
            Event(
                type=EventType.CERTIFICATE_ISSUED, subject=certificate.id, key=training.id, source=deps.policy.source,
                id=derived_id(certificate.id, "issued"), correlation_id=event.correlation_id,
                data={"certificate_id": certificate.id, "booking_id": booking.id, "training_id": training.id,
                      "trainee_id": trainee.id},
            )
        )  # fmt: skip


def my_certificates(deps: Deps, user: User) -> list[Certificate]:
    """The caller's certificates, the latest first (trainees)."""
    require_role(user, Role.TRAINEE)
    return deps.certificates.of_trainee(user.id)


def get_certificate(deps: Deps, user: User, certificate_id: str) -> Certificate:
    """A certificate, for its trainee, the training's expert or an admin; NotFound for anyone else."""
    certificate = deps.certificates.get(certificate_id)
    if certificate is None or not (
        user.id in (certificate.trainee_id, certificate.expert_id) or user.role is Role.ADMIN
    ):
        raise NotFound(f"No certificate {certificate_id}.")
    return certificate


def certificate_pdf(deps: Deps, user: User, certificate_id: str) -> tuple[str, bytes]:
    """The PDF of a certificate and the file name to save it as, for the same people as ``get_certificate``."""
    certificate = get_certificate(deps, user, certificate_id)
    # None: stored but not rendered yet (the worker is on it, or crashed in between).
    pdf = deps.certificates.pdf(certificate.id) or _render(deps, certificate)
    return f"certificate-{certificate.day}-{certificate.code}.pdf", pdf


def _render(deps: Deps, certificate: Certificate) -> bytes:
    return deps.certificate_renderer.render(
        certificate, verify_url(deps, certificate.code), deps.policy.marketplace_name
    )


@dataclass(frozen=True)
class Verification:
    """What a verifier learns: whether the code is valid and, if so, what it certifies."""

    valid: bool
    reason: str
    certificate: Certificate | None = None


def verify(deps: Deps, code: str) -> Verification:
    """Check a code anyone typed: it must be ours, and the certificate must still match it."""
    canonical = normalize_code(code)
    if canonical is None:
        return Verification(False, "This is not a certificate code: codes have 20 letters and digits.")
    certificate = deps.certificates.by_code(canonical)
    if certificate is None:
        return Verification(False, "No certificate has this code.")
    if not is_authentic(certificate, deps.policy.certificate_key):
        return Verification(False, "This certificate's record does not match its code.")
    return Verification(True, "This certificate is genuine.", certificate)


HANDLERS = {EventType.TRAINING_COMPLETED: [issue_certificates]}
