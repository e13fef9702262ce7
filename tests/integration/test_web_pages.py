"""The public web pages, fetched over HTTP from the real API process: the catalogue with its
filters and the training page."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.support import Stack, csrf_of, day_ahead, wait_for

# Only the API, but where a test waits for a worker's holds or inbox.
pytestmark = pytest.mark.workers()


class _Text(HTMLParser):
    """The visible text of a page, for asserting what a reader sees."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def _text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def test_the_catalogue_lists_and_filters_published_trainings(stack: Stack) -> None:
    api = stack.api
    expert = api.expert("Dr Ada Web")
    paris = api.published_training(expert, title="Mitral clip in Paris", price=120000)
    lyon = api.published_training(expert, title="Carotid stenting in Lyon", price=60000,
                                  venue={**_venue(), "city": "Lyon"})  # fmt: skip
    draft = api.call("POST", "/api/v1/trainings", expert["token"], json={"title": "A draft never shown"}).json()

    page = api.call("GET", "/")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    text = _text(page.text)
    assert "Mitral clip in Paris" in text and "Carotid stenting in Lyon" in text
    assert "A draft never shown" not in text
    assert "€1,200.00" in text and "Verified expert" in text and "7 CME credits" in text
    assert "4 seats left" in text

    lyon_only = _text(api.call("GET", "/", params={"city": "Lyon"}).text)
    assert "Carotid stenting in Lyon" in lyon_only and "Mitral clip in Paris" not in lyon_only
    cheap = _text(api.call("GET", "/", params={"price_max": "700", "currency": "eur"}).text)  # whole euros
    assert "Carotid stenting in Lyon" in cheap and "Mitral clip in Paris" not in cheap
    assert f'href="/trainings/{paris["id"]}"' in page.text and f'href="/trainings/{lyon["id"]}"' in page.text
    assert draft["id"] not in page.text


def test_a_bad_filter_is_shown_beside_its_field(stack: Stack) -> None:
    page = stack.api.call("GET", "/", params={"country": "France", "price_max": "lots", "date_from": "2020-05-01",
                                              "date_to": "2020-04-01"})  # fmt: skip
    assert page.status_code == 400
    assert 'aria-invalid="true" aria-describedby="country-error"' in page.text
    assert 'id="price_max-error">A whole amount, e.g. 500.' in page.text
    assert 'id="date_to-error">Must not be before the first day.' in page.text
    assert 'value="France"' in page.text  # what was typed stays in the form


def test_a_price_without_its_currency_is_asked_for_beside_the_currency(stack: Stack) -> None:
    api = stack.api
    expert = api.expert("Dr Ada Prices")
    starts, ends = day_ahead(30)
    api.published_training(expert, title="Mitral clip, in pounds", price=40000, currency="gbp",
                           starts_at=starts, ends_at=ends)  # fmt: skip

    page = api.call("GET", "/", params={"price_max": "500", "currency": ""})  # the form sends every field
    assert page.status_code == 400
    assert 'aria-invalid="true" aria-describedby="currency-error"' in page.text
    assert 'id="currency-error">Choose a currency for this price: prices are compared within one currency.' in page.text
    assert 'value="500"' in page.text  # what was typed stays in the form

    chosen = api.call("GET", "/", params={"price_max": "500", "currency": "gbp"})
    assert chosen.status_code == 200 and "Mitral clip, in pounds" in _text(chosen.text)
    assert '<option value="gbp" selected>' in chosen.text
    in_euros = _text(api.call("GET", "/", params={"price_max": "500", "currency": "eur"}).text)
    assert "Mitral clip, in pounds" not in in_euros  # 400.00 GBP is not "at most 500 EUR"


def test_the_training_page_shows_the_day_the_expert_and_the_sponsors_demo(stack: Stack) -> None:
    api = stack.api
    expert, sponsor = api.expert("Dr Grace Page"), api.user("sponsor")
    training = api.published_training(expert, capacity=3)
    demo = api.call("POST", "/api/v1/demos", sponsor["token"],
                    json={"title": "Valve delivery system X", "device": "X-Valve 3"}).json()  # fmt: skip
    asked = api.call("POST", f"/api/v1/demos/{demo['id']}/trainings", sponsor["token"],
                     json={"training_id": training["id"]})  # fmt: skip
    assert asked.status_code in (200, 202), asked.text
    before = _text(api.call("GET", f"/trainings/{training['id']}").text)
    assert "Valve delivery system X" not in before  # not without the expert's consent
    api.call("POST", f"/api/v1/trainings/{training['id']}/demos/{demo['id']}/accept", expert["token"])

    page = api.call("GET", f"/trainings/{training['id']}")
    assert page.status_code == 200
    text = _text(page.text)
    assert training["title"] in text and "Dr Grace Page" in text and "Verified expert" in text
    assert "Hôpital Européen Georges-Pompidou" in text and "3 of 3 left" in text and "CME credits 7" in text
    for step in training["programme"]:
        assert step["title"] in text
    assert "Valve delivery system X" in text and "X-Valve 3" in text

    missing = api.call("GET", "/trainings/no-such-training")
    assert missing.status_code == 404 and "Not found" in _text(missing.text)


def _days_until_the_15th_of(month: int, zone: str = "Europe/Paris") -> int:
    """Days from today at the venue to the 15th of ``month``, at least 30 days away."""
    today = datetime.now(ZoneInfo(zone)).date()
    target = date(today.year, month, 15)
    while target < today + timedelta(days=30):
        target = target.replace(year=target.year + 1)
    return (target - today).days


def test_the_training_page_gives_the_venues_hours_on_its_clock_named_for_that_day(stack: Stack) -> None:
    api = stack.api
    expert = api.expert()
    for month, clock in ((1, "Europe/Paris time (CET, UTC+01:00)"), (7, "Europe/Paris time (CEST, UTC+02:00)")):
        days = _days_until_the_15th_of(month)
        starts_at, ends_at = day_ahead(days)
        training = api.published_training(expert, starts_at=starts_at, ends_at=ends_at)
        text = _text(api.call("GET", f"/trainings/{training['id']}").text)
        day = datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=days)
        assert f"{day:%A}, {day.day} {day:%B %Y}, 08:00–17:00 {clock}" in text, text
    starts_at, ends_at = day_ahead(60, zone="UTC")
    in_utc = api.published_training(expert, starts_at=starts_at, ends_at=ends_at, timezone="UTC")
    assert "08:00–17:00 UTC" in _text(api.call("GET", f"/trainings/{in_utc['id']}").text)


def _venue() -> dict:
    from tests.support import TRAINING

    return dict(TRAINING["venue"])


def test_signing_in_and_posting_forms_are_guarded(stack: Stack) -> None:
    api = stack.api
    trainee, training = api.user("trainee"), api.published_training(api.expert())
    browser = requests.Session()
    form = browser.get(f"{api.base_url}/login")
    csrf = csrf_of(form.text)

    wrong = browser.post(f"{api.base_url}/login", data={"csrf": csrf, "email": trainee["email"], "password": "nope"})
    assert wrong.status_code == 401 and "Wrong e-mail or password." in wrong.text
    good = {"email": trainee["email"], "password": "correct horse battery"}
    forged = browser.post(f"{api.base_url}/login", data=good)
    assert forged.status_code == 400  # no CSRF token: refused before anything else
    signed = browser.post(
        f"{api.base_url}/login?next=https://evil.example/x", allow_redirects=False, data={"csrf": csrf, **good}
    )
    assert signed.status_code == 302 and signed.headers["Location"] == "/"  # never off-site
    cookie = signed.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie

    page = browser.get(f"{api.base_url}/trainings/{training['id']}")
    fresh = csrf_of(page.text)
    assert fresh != csrf  # a new session at sign-in, with a new token
    no_token = browser.post(f"{api.base_url}/trainings/{training['id']}/book", allow_redirects=False)
    assert no_token.status_code == 400 and stack.db.bookings.count_documents({}) == 0
    key = re.search(r'name="request_key" value="([^"]+)"', page.text).group(1)
    first = browser.post(f"{api.base_url}/trainings/{training['id']}/book", allow_redirects=False,
                         data={"csrf": fresh, "request_key": key})  # fmt: skip
    again = browser.post(f"{api.base_url}/trainings/{training['id']}/book", allow_redirects=False,
                         data={"csrf": fresh, "request_key": key})  # fmt: skip
    assert first.status_code == again.status_code == 303 and first.headers["Location"] == again.headers["Location"]
    assert stack.db.bookings.count_documents({}) == 1  # a double submit is one booking

    anonymous = requests.get(f"{api.base_url}/me/bookings", allow_redirects=False)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login?next=")


@pytest.mark.workers("notifications")
def test_the_inbox_page_and_the_admins_verification_desk(stack: Stack) -> None:
    api = stack.api
    admin, newcomer = api.admin(), api.user("expert", "Dr Newcomer")
    licence = {"kind": "medical_license", "number": "RPPS-123", "issuer": "Ordre des médecins", "country": "FR"}
    submitted = api.call("POST", "/api/v1/me/credentials", newcomer["token"], json={"credentials": [licence]})
    assert submitted.status_code == 202, submitted.text

    desk, csrf = api.web_session(admin["email"])
    page = desk.get(f"{api.base_url}/admin/experts")
    assert "Dr Newcomer" in _text(page.text) and "medical license RPPS-123" in _text(page.text)
    verified = desk.post(f"{api.base_url}/admin/experts/{newcomer['id']}", data={"csrf": csrf, "decision": "verify"})
    assert verified.status_code == 200 and "No one is waiting." in _text(verified.text)
    assert stack.db.users.find_one({"_id": newcomer["id"]})["verification"] == "verified"

    expert_view, expert_csrf = api.web_session(newcomer["email"])
    inbox = wait_for(
        lambda: (p := expert_view.get(f"{api.base_url}/me/inbox")).text.count("Your credentials are verified") and p,
        what="the verification in the inbox",
    )
    assert "(1 unread)" in _text(inbox.text)
    read = expert_view.post(f"{api.base_url}/me/inbox/read", data={"csrf": expert_csrf})
    assert "(0 unread)" in _text(read.text)
    trainee, _ = api.web_session(api.user("trainee")["email"])
    assert trainee.get(f"{api.base_url}/admin/experts").status_code == 403  # admins only


@pytest.mark.workers("capacity")
def test_an_expert_cancels_a_training_from_its_page_with_a_reason(stack: Stack) -> None:
    api = stack.api
    expert, first, second = api.expert(), api.user("trainee"), api.user("trainee")
    training = api.published_training(expert, capacity=1)
    stack.wait_status(stack.book(first, training), "held")
    waiting = stack.book(second, training)
    stack.wait_status(waiting, "waitlisted")

    trainee_view, _ = api.web_session(second["email"])
    assert "On the waitlist (number 1)" in _text(trainee_view.get(f"{api.base_url}/bookings/{waiting}").text)

    view, csrf = api.web_session(expert["email"])
    page = view.get(f"{api.base_url}/me/trainings/{training['id']}")
    assert "Waitlist (1)" in _text(page.text) and "Seats held, waiting for payment (1)" in _text(page.text)
    short = view.post(f"{api.base_url}/me/trainings/{training['id']}/cancel", data={"csrf": csrf, "reason": "no"})
    assert short.status_code == 422 and "Tell the trainees why" in _text(short.text)
    done = view.post(f"{api.base_url}/me/trainings/{training['id']}/cancel",
                     data={"csrf": csrf, "reason": "The operating room is closed."})  # fmt: skip
    assert done.status_code == 200 and "cancelled" in _text(done.text)
    stack.wait_status(waiting, "cancelled")
    other, _ = api.web_session(api.expert()["email"])
    assert "My trainings" in _text(other.get(f"{api.base_url}/me/trainings/{training['id']}").text)  # not theirs


def test_an_expert_registers_on_the_web_and_submits_credentials(stack: Stack) -> None:
    base = stack.api.base_url
    browser = requests.Session()
    csrf = csrf_of(browser.get(f"{base}/register").text)
    short = browser.post(f"{base}/register", data={"csrf": csrf, "name": "Dr New", "email": "new@example.org",
                                                   "password": "short", "role": "expert"})  # fmt: skip
    assert short.status_code == 422 and 'id="password-error"' in short.text
    assert 'value="new@example.org"' in short.text and 'value="short"' not in short.text  # no password echoed
    made = browser.post(f"{base}/register", data={"csrf": csrf, "name": "Dr New", "email": "new@example.org",
                                                  "password": "a long enough secret", "role": "expert"})  # fmt: skip
    assert made.status_code == 200 and made.url.endswith("/me/credentials")
    assert "Verification: unverified" in _text(made.text)
    csrf = csrf_of(made.text)
    bad = browser.post(f"{base}/me/credentials", data={"csrf": csrf, "kind": "medical_license", "number": "1",
                                                       "issuer": "Council", "country": "France"})  # fmt: skip
    assert bad.status_code == 422 and 'id="country-error"' in bad.text
    sent = browser.post(f"{base}/me/credentials", data={"csrf": csrf, "kind": "medical_license", "number": "RPPS-9",
                                                        "issuer": "Council", "country": "FR"})  # fmt: skip
    assert sent.status_code == 200 and "Verification: pending" in _text(sent.text)
    assert stack.db.users.find_one({"email": "new@example.org"})["verification"] == "pending"

    again = requests.Session()
    csrf = csrf_of(again.get(f"{base}/register").text)
    taken = again.post(f"{base}/register", data={"csrf": csrf, "name": "Someone", "email": "new@example.org",
                                                 "password": "a long enough secret", "role": "trainee"})  # fmt: skip
    assert taken.status_code == 422 and "Already registered." in taken.text
