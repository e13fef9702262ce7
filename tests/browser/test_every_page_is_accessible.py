"""Every page a person can reach by following links, for each role, passes axe-core.

Each role signs in and walks the site from the catalogue: every link to a page of ours is
opened once (the ``page`` fixture's audit runs axe-core on each and fails the test on a serious
or critical violation). Nothing is posted: the walk only reads. The other browser tests audit
the pages their flows reach, forms with errors and live states included.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import sign_in
from tests.support import Stack

# Links that lead out of the pages (the API's own documents, downloads) or that only act.
NOT_PAGES = ("/api/", "/metrics", "/healthz", "/readyz", "/static/", ".pdf", ".csv", ".ics", "/logout", "/unsubscribe/")
MOST_PAGES = 60  # per role: enough for every kind of page, bounded however many trainings there are


def _walk(page: Page, base: str) -> list[str]:
    """Open every page of ours reachable by links from the catalogue, breadth first; the paths seen."""
    seen: list[str] = []
    queue = [base + "/"]
    while queue and len(seen) < MOST_PAGES:
        url = queue.pop(0)
        path = urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
        if path in seen:
            continue
        seen.append(path)
        page.goto(url)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            target = urljoin(url, href).split("#")[0]
            if target.startswith(base) and not any(part in target for part in NOT_PAGES):
                queue.append(target)
    return seen


@pytest.mark.parametrize("role", ["visitor", "trainee", "expert", "sponsor", "admin"])
def test_every_page_a_role_reaches_has_no_serious_accessibility_violation(stack: Stack, page: Page, role: str) -> None:
    api, base = stack.api, stack.api.base_url
    expert = api.expert("Dr Axe")
    training = api.published_training(expert)
    trainee = api.user("trainee", "Tess Axe")
    stack.wait_status(stack.book(trainee, training), "held")
    account = {"trainee": trainee, "expert": expert, "sponsor": api.user("sponsor", "Axe Devices"),
               "admin": api.admin()}.get(role)  # fmt: skip
    if account is not None:
        sign_in(page, base, account["email"])
    seen = _walk(page, base)
    # The walk reached the role's own pages, not only the public ones.
    own = {"visitor": "/login", "trainee": "/me/bookings", "expert": "/me/trainings",
           "sponsor": "/me/sponsorships", "admin": "/admin/experts"}[role]  # fmt: skip
    assert own in seen, seen
    assert f"/trainings/{training['id']}" in seen
