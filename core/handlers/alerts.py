"""Saved searches told of new trainings: on ``training.published``, and on a capacity raise that
reopens seats (``training.updated`` naming ``capacity``), read the alerts that could match (filed under
one of the training's keys), keep those that do, record each match once and tell ``instant`` alerts
at once; ``daily`` ones wait for the digest (``send_alert_digests``).

At most one notice per alert and training: the notice's event id is the match's own (alert and
training), and the inbox and the outbox keep one per person and event id. A replay, or a second
event about the same training, records and tells nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any

from core import ports
from core.alerts import AlertMatch, keys_of, matches
from core.links import Links
from core.model import Training, TrainingStatus
from core.notices import ALERT_NOTICES
from core.ports import Notification
from core.services.delivery import Channels, deliver, deliver_many
from core.services.deps import Clock, Deps, Policy
from core.services.notice_facts import FactSources, training_context
from core.words import N_
from events import TrainingPublished, TrainingUpdated
from events.envelope import Event

DIGEST_HOUR = 6  # UTC: the daily digest tells what matched before this hour
# Read at once, so that each person's matches make one digest (a second one that day would share the
# first one's event id and be dropped by the inbox, its matches marked sent without being told).
DIGEST_BATCH = 100_000
DIGEST_LINES = 20


def match_alerts(
    event: Event,
    trainings: ports.Trainings,
    seats: ports.Seats,
    alerts: ports.Alerts,
    alert_matches: ports.AlertMatches,
    users: ports.Users,
    bookings: ports.Bookings,
    inbox: ports.Inbox,
    outbox: ports.Outbox,
    preferences: ports.NotificationPreferences,
    renderer: ports.EmailRenderer,
    wordings: ports.Wordings,
    policy: Policy,
    clock: Clock,
) -> None:
    """Record and tell the alerts a newly bookable training matches, each in its person's language."""
    changed = event.payload_as(TrainingPublished if event.type == TrainingPublished.TYPE else TrainingUpdated)
    if event.type == TrainingUpdated.TYPE and "capacity" not in (changed.changes or []):
        return
    training = trainings.get(changed.training_id)
    now = clock()
    if training is None or training.status is not TrainingStatus.PUBLISHED or not _upcoming(training, now):
        return
    ledger = seats.load(training.id)
    left = ledger.free if ledger is not None else training.capacity
    if event.type == TrainingUpdated.TYPE and not left:
        return  # a raise that leaves it full reopens nothing
    found = [a for a in alerts.filed_under(keys_of(training)) if matches(a.filters, training, left)]
    if not found:
        return
    alert_matches.add([AlertMatch(a.id, a.user_id, training.id, a.delivery, now, training.title) for a in found])
    channels = Channels(inbox, outbox, preferences, users, renderer, policy, clock)
    sources = FactSources(users, trainings, bookings, policy, clock, wordings)
    place = ", ".join(p for p in (training.venue.institution, training.venue.city) if p)
    notice = ALERT_NOTICES["alert.matched"]
    link = Links(policy.public_base_url).training(training.id)
    instant = [a for a in found if a.delivery == "instant"]
    people = users.many(sorted({a.user_id for a in instant}))
    details: dict[str, dict[str, Any]] = {}  # per language
    told = []
    for alert in instant:
        person = people.get(alert.user_id)
        wording = wordings(person.locale if person else None)
        if wording.locale not in details:
            details[wording.locale] = training_context(sources, training, wording)
        shown = details[wording.locale]
        named = alert.name or wording.gettext(N_("my alert"))
        subject, body = notice.words(
            {"title": training.title, "day": shown["day_label"], "place": place, "alert": named}, wording
        )
        context = {"training": shown, "action_label": wording.gettext(notice.action) if notice.action else None}
        event_id = f"alert:{alert.id}:{training.id}"
        told.append(Notification(alert.user_id, event_id, "alert.matched", subject, body, link, notice.category,
                                 context=context, locale=wording.locale))  # fmt: skip
    deliver_many(channels, told)  # hundreds at once: one write per collection


def send_alert_digests(deps: Deps) -> int:
    """Once a day, one digest per person of what matched their daily alerts before the digest hour; how many."""
    now = deps.clock()
    cutoff = datetime.combine(now.date(), time(DIGEST_HOUR), tzinfo=now.tzinfo)
    if now < cutoff:
        cutoff -= timedelta(days=1)
    day = cutoff.date().isoformat()
    by_user: dict[str, list[AlertMatch]] = defaultdict(list)
    for match in deps.alert_matches.unsent_daily(cutoff, DIGEST_BATCH):
        by_user[match.user_id].append(match)
    channels = Channels(deps.inbox, deps.outbox, deps.preferences, deps.users, deps.renderer, deps.policy, deps.clock)
    links = Links(deps.policy.public_base_url)
    notice = ALERT_NOTICES["alert.digest"]
    people = deps.users.many(sorted(by_user))
    for user_id, found in by_user.items():
        person = people.get(user_id)
        wording = deps.wordings(person.locale if person else None)
        titles = list(dict.fromkeys(m.title for m in found))  # one line per training, whichever alerts matched
        lines = "\n".join(f"- {t}" for t in titles[:DIGEST_LINES])
        if len(titles) > DIGEST_LINES:
            more = len(titles) - DIGEST_LINES
            lines += "\n" + wording.ngettext("... and %(num)d more.", "... and %(num)d more.", more) % {"num": more}
        subject, body = notice.words({"count": len(titles), "lines": lines}, wording)
        action = wording.gettext(notice.action) if notice.action else None
        digest = Notification(user_id, f"digest:{user_id}:{day}", "alert.digest", subject, body, links.alerts(),
                              notice.category, context={"action_label": action}, locale=wording.locale)  # fmt: skip
        deliver(channels, digest)
        deps.alert_matches.mark_sent([m.id for m in found], day)
    return len(by_user)


def _upcoming(training: Training, now: datetime) -> bool:
    return training.starts_at is not None and training.starts_at > now


HANDLERS = {TrainingPublished: [match_alerts], TrainingUpdated: [match_alerts]}
