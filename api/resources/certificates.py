"""Certificates of attendance: mine, their PDF, and the public check of a code."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import attachment, current_user, deps
from api.docs import secured
from core.certificates import Certificate
from core.services import certificates
from schemas.http import ErrorSchema
from schemas.records import CertificateList, CertificateOut, VerificationOut

PREFIX = ""
blp = Blueprint("certificates", __name__, description="Certificates of attendance, and their public check")


def out(certificate: Certificate) -> dict[str, Any]:
    """A certificate with where to check it and where to download it."""
    body = asdict(certificate)
    body["verify_url"] = certificates.verify_url(deps(), certificate.code)
    body["pdf_url"] = f"/api/v1/certificates/{certificate.id}/pdf"
    return body


@blp.route("/me/certificates")
class MyCertificates(MethodView):
    @blp.response(200, CertificateList)
    @secured(blp)
    def get(self) -> Any:
        """My certificates of attendance, the latest first (issued once a training I attended is completed)."""
        return {"items": [out(c) for c in certificates.my_certificates(deps(), current_user())]}


@blp.route("/certificates/<certificate_id>")
class CertificateItem(MethodView):
    @blp.response(200, CertificateOut)
    @blp.alt_response(404, schema=ErrorSchema, description="No such certificate of mine")
    @secured(blp)
    def get(self, certificate_id: str) -> Any:
        """One certificate (its trainee, the training's expert, or an admin)."""
        return out(certificates.get_certificate(deps(), current_user(), certificate_id))


@blp.route("/certificates/<certificate_id>/pdf")
class CertificatePdf(MethodView):
    @blp.response(200, description="The certificate as PDF", content_type="application/pdf")
    @blp.alt_response(404, schema=ErrorSchema, description="No such certificate of mine")
    @secured(blp)
    def get(self, certificate_id: str) -> Any:
        """Download a certificate as PDF (its trainee, the training's expert, or an admin)."""
        name, pdf = certificates.certificate_pdf(deps(), current_user(), certificate_id)
        return attachment(pdf, "application/pdf", name)


@blp.route("/certificates/verify/<code>")
class CertificateCheck(MethodView):
    @blp.response(200, VerificationOut)
    def get(self, code: str) -> Any:
        """Check a verification code (anyone, no account): valid or not, and what it certifies."""
        result = certificates.verify(deps(), code)
        certificate = asdict(result.certificate) if result.certificate else None
        return {"valid": result.valid, "reason": result.reason, "certificate": certificate}
