"""Sponsors' technology demos, shown at a training only with its expert's consent."""

from __future__ import annotations

import uuid
from typing import Any

from core.errors import Conflict, Forbidden, NotFound
from core.model import Role, TrainingStatus, User
from core.services.accounts import require_role
from core.services.announce import announce
from core.services.deps import Deps
from core.services.trainings import get_training
from core.sponsoring import LinkStatus, TechnologyDemo
from core.words import N_, Worded
from events import DemoChanged, DemoCreated, DemoLinkAccepted, DemoLinkDeclined, DemoLinkRequested
from events.envelope import Event, new_event

DEMO_FIELDS = ("title", "device", "technique", "description", "specialties", "urls")


def create_demo(deps: Deps, sponsor: User, fields: dict[str, Any]) -> TechnologyDemo:
    """List a device or technique (sponsor)."""
    require_role(sponsor, Role.SPONSOR)
    demo = TechnologyDemo(
        id=str(uuid.uuid4()), sponsor_id=sponsor.id, created_at=deps.clock(),
        **{k: fields[k] for k in DEMO_FIELDS if k in fields},
    )  # fmt: skip
    deps.demos.add(demo, announcing=_event(deps, DemoCreated, demo))
    announce(deps, "demos", demo.id)
    return demo


def update_demo(deps: Deps, sponsor: User, demo_id: str, fields: dict[str, Any]) -> TechnologyDemo:
    """Edit one of the sponsor's own demos."""
    demo = _own(deps, sponsor, demo_id)
    deps.demos.update(demo.id, {k: fields[k] for k in DEMO_FIELDS if k in fields})
    return get_demo(deps, demo.id)


def get_demo(deps: Deps, demo_id: str) -> TechnologyDemo:
    """A demo, visible to anyone."""
    demo = deps.demos.get(demo_id)
    if demo is None:
        raise NotFound(Worded(N_("No demo %(id)s."), id=demo_id))
    return demo


def request_showing(deps: Deps, sponsor: User, demo_id: str, training_id: str) -> TechnologyDemo:
    """Ask the training's expert to show this demo there (``demo.link_requested``)."""
    demo = _own(deps, sponsor, demo_id)
    training = get_training(deps, training_id)
    if training.status is not TrainingStatus.PUBLISHED:
        raise Conflict(
            Worded(
                N_("Demos can be shown only at a published training; this one is %(status)s."), status=training.status
            )
        )
    requested = _event(deps, DemoLinkRequested, demo, training.id, training.expert_id)
    if not deps.demos.request_link(demo.id, training.id, deps.clock(), announcing=requested):
        raise Conflict(N_("This demo was already proposed for this training."))
    announce(deps, "demos", demo.id)
    return get_demo(deps, demo.id)


def decide_showing(deps: Deps, expert: User, training_id: str, demo_id: str, accept: bool) -> TechnologyDemo:
    """The expert agrees (or not) to show a demo at their training."""
    require_role(expert, Role.EXPERT)
    training = get_training(deps, training_id, viewer=expert)
    if training.expert_id != expert.id:
        raise Forbidden(N_("Only the training's expert decides which demos are shown there."))
    demo = get_demo(deps, demo_id)
    status = LinkStatus.ACCEPTED if accept else LinkStatus.DECLINED
    kind = DemoLinkAccepted if accept else DemoLinkDeclined
    decided = _event(deps, kind, demo, training.id, expert.id)
    if not deps.demos.decide_link(demo.id, training.id, status, deps.clock(), announcing=decided):
        raise Conflict(N_("No pending request to show this demo at this training."))
    if accept:  # the catalogue's sponsor filter (a projection of the accepted links)
        deps.trainings.set_sponsor(training.id, demo.sponsor_id, shown=True)
    announce(deps, "demos", demo.id)
    return get_demo(deps, demo.id)


def search_demos(
    deps: Deps, specialty: str | None, sponsor_id: str | None, training_id: str | None, limit: int, offset: int
) -> tuple[list[TechnologyDemo], int]:
    """Demos by specialty, sponsor, or shown at a training (accepted links only)."""
    return deps.demos.search(specialty, sponsor_id, training_id, limit, offset)


def requests_for_expert(deps: Deps, expert: User) -> list[TechnologyDemo]:
    """Demos waiting for this expert's consent on any of their trainings."""
    require_role(expert, Role.EXPERT)
    mine, _ = deps.trainings.by_expert(expert.id, 200, 0)
    return deps.demos.pending_for_trainings([t.id for t in mine])


def my_demo(deps: Deps, sponsor: User, demo_id: str) -> TechnologyDemo:
    """One of the sponsor's own demos, as its editing pages show it; another's is refused."""
    return _own(deps, sponsor, demo_id)


def _own(deps: Deps, sponsor: User, demo_id: str) -> TechnologyDemo:
    require_role(sponsor, Role.SPONSOR)
    demo = get_demo(deps, demo_id)
    if demo.sponsor_id != sponsor.id:
        raise Forbidden(N_("Only the sponsor who listed this demo can change it."))
    return demo


def _event(
    deps: Deps, kind: type[DemoChanged], demo: TechnologyDemo, training_id: str | None = None,
    expert_id: str | None = None,
) -> Event:  # fmt: skip
    changed = kind(
        demo_id=demo.id, sponsor_id=demo.sponsor_id, title=demo.title, training_id=training_id, expert_id=expert_id
    )
    return new_event(changed, deps.policy.source)
