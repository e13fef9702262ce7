"""Certificates issued on completion to trainees marked present, once (the handler, bound as the runner
binds it); who may read them; verification (the API's use cases)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.errors import NotFound
from core.handlers import inject
from core.handlers.certificates import issue_certificates
from core.model import Role, TrainingStatus
from core.services import certificates as cs
from events import CertificateIssued, TrainingCompleted
from events.envelope import new_event
from tests.fakes import fake_deps
from tests.unit import builders


def _completed():
    deps = fake_deps()
    expert, here, away = builders.user(deps, Role.EXPERT), builders.user(deps), builders.user(deps)
    t = builders.training(deps, expert, TrainingStatus.COMPLETED)
    builders.booking(deps, t, here, attendance="present")
    builders.booking(deps, t, away, attendance="absent")
    completed = TrainingCompleted(training_id=t.id, expert_id=expert.id, title=t.title, status=str(t.status))
    done = new_event(completed, "test")
    return deps, expert, here, away, t, done


def _issue(deps, done):
    inject(issue_certificates, deps)(done)


def test_present_trainees_get_one_signed_certificate_and_pdf_whatever_the_redeliveries():
    deps, expert, here, away, t, done = _completed()
    _issue(deps, done)
    _issue(deps, done)
    [cert] = deps.certificates.rows.values()
    assert cert.trainee_id == here.id and deps.certificate_renderer.renders == 1
    assert cs.verify(deps, cert.code.lower().replace("-", " ")).valid
    issued = [e for e in deps.publisher.published if e.type == CertificateIssued.TYPE]
    assert len({e.id for e in issued}) == 1 and issued[0].correlation_id == done.correlation_id
    assert [c.id for c in cs.my_certificates(deps, here)] == [cert.id] and cs.my_certificates(deps, away) == []


def test_nothing_is_issued_before_completion():
    deps, expert, here, away, t, done = _completed()
    deps.trainings.rows[t.id].status = TrainingStatus.PUBLISHED
    _issue(deps, done)
    assert deps.certificates.rows == {} and deps.publisher.published == []


def test_a_training_whose_expert_has_no_account_cannot_be_certified():
    deps, expert, here, away, t, done = _completed()
    del deps.users.rows[expert.id]
    with pytest.raises(NotFound):
        _issue(deps, done)


def test_a_trainee_whose_account_is_gone_gets_no_certificate():
    deps, expert, here, away, t, done = _completed()
    del deps.users.rows[here.id]
    _issue(deps, done)
    assert deps.certificates.rows == {} and deps.publisher.published == []


def test_only_the_trainee_the_expert_or_an_admin_reads_a_certificate():
    deps, expert, here, away, t, done = _completed()
    _issue(deps, done)
    [cert] = deps.certificates.rows.values()
    for who in (here, expert, builders.user(deps, Role.ADMIN)):
        assert cs.get_certificate(deps, who, cert.id).id == cert.id
    with pytest.raises(NotFound):
        cs.get_certificate(deps, away, cert.id)
    del deps.certificates.pdfs[cert.id]  # not rendered yet: rendered on demand
    name, pdf = cs.certificate_pdf(deps, here, cert.id)
    assert name == f"certificate-{cert.day}-{cert.code}.pdf" and cert.code.encode() in pdf
    assert cs.verify_url(deps, cert.code).encode() in pdf  # the page that checks it, printed on it


def test_verification_tells_a_bad_code_an_unknown_one_and_an_altered_record():
    deps, expert, here, away, t, done = _completed()
    assert not cs.verify(deps, "not a code").valid
    assert cs.verify(deps, "A" * 20).reason == "No certificate has this code."
    _issue(deps, done)
    [cert] = deps.certificates.rows.values()
    deps.certificates.rows[cert.id] = replace(cert, hours=99.0)
    assert cs.verify(deps, cert.code).reason == "This certificate's record does not match its code."
