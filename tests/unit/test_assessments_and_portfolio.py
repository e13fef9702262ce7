"""The expert's assessment of a present trainee's day, and the trainee's portfolio, on the fakes."""

from __future__ import annotations

import csv
import io

import pytest

from core.errors import Conflict, Forbidden, NotFound
from core.handlers import inject
from core.handlers.certificates import issue_certificates
from core.model import BookingStatus, Role, TrainingStatus
from core.services import assessments, portfolio
from events import AssessmentRecorded, TrainingCompleted
from events.envelope import new_event
from tests.fakes import fake_deps
from tests.unit import builders

SAID = {"competencies": [{"name": " Femoral access ", "level": "performed_supervised"},
                         {"name": "Valve deployment", "level": "observed"}],
        "comment": " Steady hands; rushed the final check. ", "next_step": "Ten supervised cases."}  # fmt: skip


def _day(**training):
    deps = fake_deps()
    expert = builders.user(deps, Role.EXPERT, name="Prof. Marie Curie")
    here, away = builders.user(deps, name="Anna Karlsson"), builders.user(deps, name="Ben Away")
    t = builders.training(deps, expert, cme_credits=7.0, **training)
    present = builders.booking(deps, t, here, attendance="present")
    absent = builders.booking(deps, t, away, attendance="absent")
    return deps, expert, here, away, t, present, absent


def test_the_expert_assesses_a_present_trainee_and_revises_it():
    deps, expert, here, _away, t, present, _ = _day()
    given = assessments.assess(deps, expert, present.id, SAID)
    assert [(c.name, c.level) for c in given.competencies] == [("Femoral access", "performed_supervised"),
                                                               ("Valve deployment", "observed")]  # fmt: skip
    assert given.comment == "Steady hands; rushed the final check." and given.revision == 1
    assert given.training_title == t.title and given.expert_name == "Prof. Marie Curie"
    event = deps.publisher.published[-1]
    assert event.type == AssessmentRecorded.TYPE and event.payload.trainee_id == here.id and event.payload.revision == 1
    first_at = given.created_at
    deps.clock.advance(hours=2)
    revised = assessments.assess(deps, expert, present.id, {**SAID, "next_step": None})
    assert revised.revision == 2 and revised.next_step is None and revised.created_at == first_at
    assert deps.publisher.published[-1].payload.revision == 2
    assert assessments.assessment_of(deps, here, present.id).revision == 2
    assert assessments.assessment_of(deps, expert, present.id).comment == revised.comment


def test_only_a_present_trainee_is_assessed_and_only_by_the_trainings_expert():
    deps, expert, here, away, _t, present, absent = _day()
    with pytest.raises(Conflict, match="marked present"):
        assessments.assess(deps, expert, absent.id, SAID)
    other = builders.user(deps, Role.EXPERT)
    with pytest.raises(NotFound):
        assessments.assess(deps, other, present.id, SAID)
    with pytest.raises(Forbidden):
        assessments.assess(deps, here, present.id, SAID)
    with pytest.raises(NotFound, match="No assessment yet"):
        assessments.assessment_of(deps, here, present.id)
    assessments.assess(deps, expert, present.id, SAID)
    for stranger in (away, other, builders.user(deps, Role.ADMIN)):
        with pytest.raises(NotFound):
            assessments.assessment_of(deps, stranger, present.id)  # seen by the two of them only


def test_a_lost_race_between_two_revisions_is_refused_not_overwritten():
    deps, expert, _here, _away, _t, present, _ = _day()
    assessments.assess(deps, expert, present.id, SAID)
    stale = deps.assessments.get(present.id)
    assessments.assess(deps, expert, present.id, SAID)  # revision 2
    stale.revision = 2  # what a second writer that read revision 1 would store
    assert deps.assessments.put(stale) is False
    assert deps.assessments.get(present.id).revision == 2


def _certify(deps, t):
    completed = TrainingCompleted(training_id=t.id, expert_id=t.expert_id, title=t.title, status="completed")
    deps.trainings.rows[t.id].status = TrainingStatus.COMPLETED
    inject(issue_certificates, deps)(new_event(completed, "test"))


def test_the_portfolio_counts_what_the_certificates_prove():
    deps, expert, here, _away, t, present, _ = _day(specialty="Interventional cardiology")
    assessments.assess(deps, expert, present.id, SAID)
    pending = portfolio.my_portfolio(deps, here)
    assert [e.title for e in pending.entries] == [t.title] and pending.entries[0].certificate is None
    assert pending.credits_total == 0  # assessed, but no certificate yet
    _certify(deps, t)
    later = builders.training(deps, expert, days=80, specialty="Cardiac surgery", cme_credits=3.5,
                              title="Mitral repair")  # fmt: skip
    builders.booking(deps, later, here, attendance="present")
    _certify(deps, later)
    builders.booking(deps, builders.training(deps, expert, days=90), here, BookingStatus.HELD)  # not attended

    record = portfolio.my_portfolio(deps, here)
    assert [e.title for e in record.entries] == ["Mitral repair", t.title]  # the latest day first
    assert record.credits_total == 10.5 and record.hours_total == 16
    assert record.credits_by_specialty == {"interventional cardiology": 7.0, "cardiac surgery": 3.5}
    assert sum(record.credits_by_year.values()) == 10.5
    assert record.entries[1].assessment.revision == 1 and record.entries[0].assessment is None

    rows = list(csv.DictReader(io.StringIO(portfolio.portfolio_csv(deps, here))))
    assert [r["training"] for r in rows] == ["Mitral repair", t.title]
    assert rows[1]["cme_credits"] == "7" and rows[1]["certificate_code"] == record.entries[1].certificate.code
    assert rows[1]["competencies"] == "Femoral access: Performed under supervision; Valve deployment: Observed"
    assert rows[1]["verify_url"].endswith(record.entries[1].certificate.code)
    name, pdf = portfolio.portfolio_pdf(deps, here)
    assert name == f"portfolio-{here.id}.pdf" and pdf.startswith(b"%PDF-fake Anna Karlsson total 10.5")
    with pytest.raises(Forbidden):
        portfolio.my_portfolio(deps, expert)
