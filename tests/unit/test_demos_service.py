"""Sponsors' demos: shown at a training only with its expert's consent."""

from __future__ import annotations

import pytest

from core.errors import Conflict, Forbidden, NotFound
from core.model import Role, TrainingStatus
from core.services import demos
from core.sponsoring import LinkStatus
from events import DemoCreated, DemoLinkAccepted, DemoLinkDeclined, DemoLinkRequested
from tests.fakes import fake_deps
from tests.unit import builders


def _stage():
    deps = fake_deps()
    sponsor, expert = builders.user(deps, Role.SPONSOR), builders.user(deps, Role.EXPERT)
    t = builders.training(deps, expert)
    demo = demos.create_demo(deps, sponsor, {"title": "Stapler X", "specialties": ["surgery"], "nope": 1})
    return deps, sponsor, expert, t, demo


def test_a_sponsor_lists_a_demo_and_it_is_announced():
    deps, sponsor, _, _, demo = _stage()
    assert demos.get_demo(deps, demo.id).title == "Stapler X"
    assert deps.publisher.published[0].type == DemoCreated.TYPE
    with pytest.raises(Forbidden):
        demos.create_demo(deps, builders.user(deps, Role.EXPERT), {"title": "x"})
    with pytest.raises(NotFound):
        demos.get_demo(deps, "nope")


def test_only_its_sponsor_edits_a_demo():
    deps, sponsor, _, _, demo = _stage()
    assert demos.update_demo(deps, sponsor, demo.id, {"device": "X-200", "sponsor_id": "me"}).device == "X-200"
    assert deps.demos.get(demo.id).sponsor_id == sponsor.id
    with pytest.raises(Forbidden):
        demos.update_demo(deps, builders.user(deps, Role.SPONSOR), demo.id, {"device": "hack"})


def test_a_showing_is_asked_once_then_accepted_and_the_catalogue_learns_the_sponsor():
    deps, sponsor, expert, t, demo = _stage()
    asked = demos.request_showing(deps, sponsor, demo.id, t.id)
    assert asked.link(t.id)["status"] == LinkStatus.PENDING
    assert deps.publisher.published[-1].type == DemoLinkRequested.TYPE
    assert deps.publisher.published[-1].data["expert_id"] == expert.id
    with pytest.raises(Conflict, match="already proposed"):
        demos.request_showing(deps, sponsor, demo.id, t.id)
    assert [d.id for d in demos.requests_for_expert(deps, expert)] == [demo.id]
    accepted = demos.decide_showing(deps, expert, t.id, demo.id, accept=True)
    assert accepted.link(t.id)["status"] == LinkStatus.ACCEPTED
    assert sponsor.id in deps.trainings.get(t.id).sponsor_ids
    assert deps.publisher.published[-1].type == DemoLinkAccepted.TYPE
    assert demos.search_demos(deps, None, None, t.id, 10, 0)[1] == 1
    with pytest.raises(Conflict, match="No pending request"):
        demos.decide_showing(deps, expert, t.id, demo.id, accept=False)


def test_a_declined_showing_adds_no_sponsor():
    deps, sponsor, expert, t, demo = _stage()
    demos.request_showing(deps, sponsor, demo.id, t.id)
    declined = demos.decide_showing(deps, expert, t.id, demo.id, accept=False)
    assert declined.link(t.id)["status"] == LinkStatus.DECLINED and deps.trainings.get(t.id).sponsor_ids == []
    assert deps.publisher.published[-1].type == DemoLinkDeclined.TYPE


def test_showings_only_at_published_trainings_and_decided_by_their_expert():
    deps, sponsor, expert, t, demo = _stage()
    draft = builders.training(deps, expert, TrainingStatus.DRAFT)
    with pytest.raises(NotFound):
        demos.request_showing(deps, sponsor, demo.id, draft.id)  # a draft is nobody else's to see
    done = builders.training(deps, expert, TrainingStatus.COMPLETED)
    with pytest.raises(Conflict, match="published"):
        demos.request_showing(deps, sponsor, demo.id, done.id)
    demos.request_showing(deps, sponsor, demo.id, t.id)
    with pytest.raises(Forbidden):
        demos.decide_showing(deps, builders.user(deps, Role.EXPERT), t.id, demo.id, True)


def test_search_by_specialty_and_sponsor():
    deps, sponsor, _, _, demo = _stage()
    assert [d.id for d in demos.search_demos(deps, "Surgery", None, None, 10, 0)[0]] == [demo.id]
    assert demos.search_demos(deps, "dermatology", None, None, 10, 0)[1] == 0
    assert demos.search_demos(deps, None, sponsor.id, None, 10, 0)[1] == 1
