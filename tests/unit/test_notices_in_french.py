"""Every notice reads in its recipient's language: a French reader gets French subjects, bodies and
e-mails (money and dates the French way), an English reader the English, whatever the notice's kind.

The facts are the handler's own (``NoticeFacts`` over the shared fakes), worded by the real
``Wording`` (Babel and the compiled catalogue), and the e-mails come from the shipped templates.
"""

from __future__ import annotations

import re
from collections import ChainMap
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from babel.messages.pofile import read_po
from icalendar import Calendar

from adapters import l10n
from adapters.email_render import JinjaEmailRenderer
from core.cancellation import RefundTerms
from core.handlers import inject, notifications
from core.model import BookingStatus, Role, zone_of
from core.notices import ALERT_NOTICES, NOTICES, Notice, Plural
from core.ports import Notification
from core.services import delivery
from core.services.deps import Deps, Policy
from core.services.notice_facts import FactSources, NoticeFacts
from events import BookingCancelled, BookingConfirmed
from events.envelope import Event
from tests.fakes import FakeClock, fake_deps
from tests.unit import builders

NOW = datetime.now(UTC)
T = "TAVI, step by step"
BASE = "https://marketplace.example.org"
FRENCH_PO = l10n.LOCALES_DIR / "fr" / "LC_MESSAGES" / "messages.po"
FR_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")  # fmt: skip
FR_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
# What the English templates say, none of which a French e-mail may show.
ENGLISH_FRAME = ("Hello", "Training details", "Why you got this", "No more e-mails like this one", "See the details",
                 "Programme of the day", "A calendar invitation is attached")  # fmt: skip
PARIS = "Europe/Paris"


def _world(locale: str | None = "fr") -> Deps:
    """A trainee, an expert, a sponsor and an admin who all read ``locale``; a training in Paris, 40 days on."""
    deps = fake_deps(policy=Policy(public_base_url=BASE), clock=FakeClock(NOW))
    people = {"ada": Role.TRAINEE, "curie": Role.EXPERT, "jane": Role.SPONSOR, "root": Role.ADMIN}
    user = {uid: builders.user(deps, role, uid.capitalize(), id=uid, locale=locale, company="MedDevice SA"
                               if uid == "jane" else None) for uid, role in people.items()}  # fmt: skip
    tavi = builders.training(deps, user["curie"], id="t-1", title=T, timezone=PARIS, currency="EUR", cme_credits=7.5)
    sponsored = {"voucher_code": "SPONSOR-AB12", "sponsored_by": {"sponsor_id": "jane", "sponsorship_id": "sp-1"}}
    builders.booking(deps, tavi, user["ada"], BookingStatus.CONFIRMED, id="b-ada", amount=47250,
                     refund_terms=RefundTerms(14), **sponsored)  # fmt: skip
    return deps


EXPIRES = NOW + timedelta(days=3)
# An event that names every fact some notice says: the facts are worked out from it as the handler does.
EVERYTHING = {
    "booking_id": "b-ada", "training_id": "t-1", "trainee_id": "ada", "expert_id": "curie", "sponsor_id": "jane",
    "amount": 47250, "currency": "EUR", "expires_at": EXPIRES.isoformat(), "position": 2,
    "reason": "The training was cancelled by its expert.", "refund_amount": 47250, "changes": ["starts_at", "venue"],
    "seats": 2, "title": "Valve system X", "rating": 5,
}  # fmt: skip
ALERT_FACTS = {"place": "Hôpital Européen, Paris", "alert": "TAVI", "count": 3, "lines": f"- {T}\n- Mitral clip"}


def _facts(deps: Deps, lang: str) -> ChainMap[str, Any]:
    sources = FactSources(deps.users, deps.trainings, deps.bookings, deps.policy, deps.clock, deps.wordings)
    worded = NoticeFacts(sources, Event("booking.cancelled", "s", EVERYTHING, "k", id="ev-1")).worded(
        l10n.wording(lang)
    )
    return ChainMap(ALERT_FACTS, worded)  # type: ignore[arg-type]


def _messages(notice: Notice) -> list[str | Plural]:
    return [m for m in (notice.subject, notice.body, notice.action) if m is not None]


def _has_words(message: str | Plural) -> bool:
    """Whether the English says something besides its placeholders (``{reason}`` says nothing)."""
    text = message.singular if isinstance(message, Plural) else message
    return bool(re.search(r"[^\W\d_]{2,}", re.sub(r"\{\w+\}", "", text)))


def _same_spaces(text: str) -> str:
    """French puts no-break spaces before its colons and in its amounts: compare them as spaces."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


KINDS = {**NOTICES, **ALERT_NOTICES}


@pytest.fixture(scope="module")
def french_catalogue() -> Any:
    with FRENCH_PO.open("rb") as f:
        return read_po(f, locale="fr")


@pytest.mark.parametrize("kind", list(KINDS), ids=str)
def test_every_kind_of_notice_reads_in_french_for_a_french_reader(kind: str, french_catalogue: Any) -> None:
    notice = KINDS[kind]
    deps = _world()
    french, english = l10n.wording("fr"), l10n.wording("en")
    for message in _messages(notice):  # the catalogue holds each of its messages, translated
        msgid = (message.singular, message.plural) if isinstance(message, Plural) else message
        entry = french_catalogue.get(msgid)
        forms = entry.string if entry is not None else None
        assert forms and all(forms if isinstance(forms, tuple) else [forms]), f"no French for {msgid!r}"
    subject, body = notice.words(_facts(deps, "fr"), french)
    en_subject, en_body = notice.words(_facts(deps, "en"), english)
    for said, in_english, message in ((subject, en_subject, notice.subject), (body, en_body, notice.body)):
        if _has_words(message):
            assert said != in_english, f"{kind}: {said!r} is the English"
    told = _same_spaces(f"{subject} {body}")
    messages = " ".join(m.singular if isinstance(m, Plural) else m for m in (notice.subject, notice.body))
    if "{money}" in messages:
        assert "472,50 €" in told and "€472.50" not in told
    if "{until}" in messages:
        local = EXPIRES.astimezone(zone_of(PARIS))
        assert f"{local.day} {FR_MONTHS[local.month - 1]} {local.year}" in told and "heure de Europe/Paris" in told
    if "{day}" in messages:
        assert any(day in told for day in FR_DAYS) and any(month in told for month in FR_MONTHS)
    if "{refund}" in messages:
        assert "472,50 € vous seront remboursés sur votre carte." in told
    if "{reason}" in messages:  # a reason the core gave is the core's message, in French
        assert "La formation a été annulée par son expert." in told
    if "{terms}" in messages:
        assert "au moins 14 jours avant le début de la formation" in told
    if "{what}" in messages:
        assert "(heure de début, lieu)" in told


@pytest.mark.parametrize("kind", list(KINDS), ids=str)
def test_every_kind_of_e_mail_reads_in_french_for_a_french_reader(kind: str) -> None:
    notice = KINDS[kind]
    deps = _world()
    french = l10n.wording("fr")
    facts = _facts(deps, "fr")
    subject, body = notice.words(facts, french)
    action = french.gettext(notice.action) if notice.action else None
    context = {"training": facts.maps[1].training_details, "codes": ["SPONSOR-AB12"], "action_label": action}  # type: ignore[attr-defined]
    channels = delivery.Channels(deps.inbox, deps.outbox, deps.preferences, deps.users, JinjaEmailRenderer(),
                                 deps.policy, deps.clock)  # fmt: skip
    delivery.deliver(channels, Notification("ada", f"ev-{kind}", kind, subject, body, f"{BASE}/bookings/b-ada",
                                            notice.category, context=context, locale="fr"))  # fmt: skip
    (email,) = deps.outbox.emails()
    text, html = _same_spaces(email.text), _same_spaces(email.html or "")
    assert email.subject == subject
    assert text.startswith("Bonjour Ada,") and _same_spaces(body.split("\n")[0])[:40] in text
    heading = "Les détails mis à jour" if kind == "training.updated" else "Détails de la formation"
    assert heading in text and "Crédits FMC : 7,5" in text and "Ne plus recevoir" in text
    category = _same_spaces(french.gettext(delivery.CATEGORIES[notice.category]))
    assert _same_spaces(action or "Voir le détail") in text and f"({category})" in text
    assert '<html lang="fr">' in html and "Bonjour Ada," in html and "Pourquoi vous recevez ce message" in html
    assert not [words for words in ENGLISH_FRAME if words in text or words in html]


def test_the_handler_words_each_notice_in_its_recipient_s_language() -> None:
    """One confirmation, three people: the French trainee reads French, the English expert and sponsor
    English; the inbox keeps the words it was told, the e-mails render in the same language."""
    deps = _world(locale=None)
    deps.users.update("ada", {"locale": "fr"})
    deps.renderer = JinjaEmailRenderer()
    event = Event(BookingConfirmed.TYPE, "s", {**EVERYTHING, "payment_intent_id": "pi-1"}, "k", id="ev-confirmed")
    inject(notifications.on_event, deps)(event)
    inject(notifications.on_event, deps)(event)  # a replay: the same words, once
    inbox = {doc["user_id"]: doc for doc in deps.inbox.rows.values()}
    assert inbox["ada"]["title"] == f"Réservation confirmée\u00a0: {T}" and inbox["ada"]["locale"] == "fr"
    assert "472,50\u00a0€" in inbox["ada"]["body"] and "votre place est réservée" in inbox["ada"]["body"]
    assert inbox["curie"]["title"] == f"New booking: {T}" and inbox["jane"]["title"] == f"Sponsored seat redeemed: {T}"
    emails = {e.to.split("@")[0]: e for e in deps.outbox.emails()}
    assert emails["ada"].subject == inbox["ada"]["title"] and "Bonjour Ada," in emails["ada"].text
    assert "Hello Curie," in emails["curie"].text and "Bonjour" not in emails["curie"].text
    (invitation,) = emails["ada"].attachments
    (day,) = Calendar.from_ical(invitation.content).walk("VEVENT")
    assert "Crédits FMC\xa0: 7,5" in str(day["DESCRIPTION"]) and "Programme (heure de Europe/Paris)" in str(
        day["DESCRIPTION"]
    )
    assert [str(alarm["DESCRIPTION"]) for alarm in day.walk("VALARM")] == [f"Demain\xa0: {T}"]


def test_a_french_reader_s_cancellation_and_its_calendar_file_are_french() -> None:
    deps = _world()
    data = {**EVERYTHING, "by": "expert", "was": "confirmed", "reason": "Le bloc opératoire est fermé."}
    (notice,) = notifications.notices_of(
        FactSources(deps.users, deps.trainings, deps.bookings, deps.policy, deps.clock, deps.wordings),
        Event(BookingCancelled.TYPE, "s", data, "k", id="ev-cancelled"),
    )
    assert notice.title == f"Formation annulée\u00a0: {T}" and notice.locale == "fr"
    assert notice.body.startswith("L'expert a annulé cette formation\u00a0: Le bloc opératoire est fermé.")
    assert notice.calendar is not None and notice.calendar.method == "CANCEL"
    (day,) = Calendar.from_ical(notice.calendar.content).walk("VEVENT")
    assert "Programme (heure de Europe/Paris)" in str(day["DESCRIPTION"]) and not day.walk("VALARM")
