"""Certificates of attendance, for the API: one's own, who may read one, its PDF, checking a code.

They are issued when a training is completed, by the certificates worker's handler
(``core.handlers.certificates``), to each trainee marked present.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import ports
from core.certificates import Certificate, is_authentic, normalize_code
from core.errors import NotFound
from core.model import Role, User
from core.services.accounts import require_trainee_history
from core.services.deps import Deps, Policy
from core.words import N_, Worded


def verify_url(deps: Deps, code: str) -> str:
    """The public page where anyone checks a certificate's code."""
    return _verify_page(deps.policy, code)


def _verify_page(policy: Policy, code: str) -> str:
    return f"{policy.public_base_url}/verify/{code}"


def render_pdf(
    renderer: ports.CertificateRenderer, policy: Policy, certificate: Certificate, locale: str | None
) -> bytes:
    """The certificate's PDF in its holder's language (``locale``), with the page that checks its code printed on it."""
    return renderer.render(certificate, _verify_page(policy, certificate.code), policy.marketplace_name, locale)


def my_certificates(deps: Deps, user: User) -> list[Certificate]:
    """The caller's certificates, the latest first (trainees)."""
    require_trainee_history(user)
    return deps.certificates.of_trainee(user.id)


def get_certificate(deps: Deps, user: User, certificate_id: str) -> Certificate:
    """A certificate, for its trainee, the training's expert or an admin; NotFound for anyone else."""
    certificate = deps.certificates.get(certificate_id)
    if certificate is None or not (
        user.id in (certificate.trainee_id, certificate.expert_id) or user.role is Role.ADMIN
    ):
        raise NotFound(Worded(N_("No certificate %(id)s."), id=certificate_id))
    return certificate


def certificate_pdf(deps: Deps, user: User, certificate_id: str) -> tuple[str, bytes]:
    """The PDF of a certificate and the file name to save it as, for the same people as ``get_certificate``."""
    certificate = get_certificate(deps, user, certificate_id)
    # None: stored but not rendered yet (the worker is on it, or crashed in between): drawn now, as the
    # worker draws it, in its holder's language.
    pdf = deps.certificates.pdf(certificate.id)
    if pdf is None:
        holder = deps.users.get(certificate.trainee_id)
        pdf = render_pdf(deps.certificate_renderer, deps.policy, certificate, holder.locale if holder else None)
    return f"certificate-{certificate.day}-{certificate.code}.pdf", pdf


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
        return Verification(False, N_("This is not a certificate code: codes have 20 letters and digits."))
    certificate = deps.certificates.by_code(canonical)
    if certificate is None:
        return Verification(False, N_("No certificate has this code."))
    if not is_authentic(certificate, deps.policy.certificate_key):
        return Verification(False, N_("This certificate's record does not match its code."))
    return Verification(True, N_("This certificate is genuine."), certificate)
