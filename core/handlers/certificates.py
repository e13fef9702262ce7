"""The certificates worker's handler: a signed certificate and its PDF for each trainee present."""

from __future__ import annotations

from core import ports
from core.booking_rules import attended
from core.certificates import draft_certificate, sign
from core.errors import NotFound
from core.model import TrainingStatus
from core.services.certificates import render_pdf
from core.services.deps import Clock, Policy
from events import CertificateIssued, TrainingCompleted
from events.envelope import Event, derived_id, new_event


def issue_certificates(
    event: Event,
    trainings: ports.Trainings,
    bookings: ports.Bookings,
    users: ports.Users,
    certificates: ports.Certificates,
    certificate_renderer: ports.CertificateRenderer,
    publisher: ports.EventPublisher,
    policy: Policy,
    clock: Clock,
) -> None:
    """On ``training.completed``: a signed certificate and its PDF, in the trainee's language, for every
    trainee marked present.

    Idempotent: a certificate's id follows from its booking's, the first one stored is kept (with
    its code), a missing PDF is rendered again, and ``certificate.issued`` has a derived id.
    """
    training = trainings.get(event.payload_as(TrainingCompleted).training_id)
    if training is None or training.status is not TrainingStatus.COMPLETED:
        return
    present = [b for b in bookings.live_on_training(training.id) if attended(b, training)]
    people = users.many([b.trainee_id for b in present] + [training.expert_id])
    expert = people.get(training.expert_id)
    if expert is None:
        raise NotFound(f"The expert {training.expert_id} of training {training.id} has no account.")
    for booking in present:
        trainee = people.get(booking.trainee_id)
        if trainee is None:
            continue  # the account was deleted: nobody to give it to
        draft = draft_certificate(booking, training, trainee, expert, clock())
        certificate = certificates.add_once(sign(draft, policy.certificate_key))
        if certificates.pdf(certificate.id) is None:
            certificates.set_pdf(certificate.id, render_pdf(certificate_renderer, policy, certificate, trainee.locale))
        issued = CertificateIssued(
            certificate_id=certificate.id, booking_id=booking.id, training_id=training.id, trainee_id=trainee.id
        )
        publisher.publish(
            new_event(issued, policy.source, id=derived_id(certificate.id, "issued"),
                      correlation_id=event.correlation_id)
        )  # fmt: skip


HANDLERS = {TrainingCompleted: [issue_certificates]}
