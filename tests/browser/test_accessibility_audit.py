"""The accessibility audit every browser test runs (``conftest._Audits``) finds what it must, and only on our pages."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.browser.conftest import _Audits

OURS = (
    '<html lang="en"><head><title>A page</title></head>'
    '<body><header class="site"></header><main>{}</main></body></html>'
)


def test_the_audit_reports_a_serious_violation_on_our_page_and_passes_a_clean_one(browser: Browser) -> None:
    context = browser.new_context()
    try:
        audits = _Audits(context)
        tab = context.new_page()
        tab.on("load", lambda loaded: audits.loaded(loaded.url))
        # A button with no name: a screen reader says only "button" (axe: button-name, critical).
        tab.route("http://audit.test/bad", lambda route: route.fulfill(body=OURS.format("<button></button>"),
                                                                        content_type="text/html"))  # fmt: skip
        tab.route("http://audit.test/good", lambda route: route.fulfill(body=OURS.format("<h1>Fine</h1>"),
                                                                         content_type="text/html"))  # fmt: skip
        tab.route("http://audit.test/theirs", lambda route: route.fulfill(body="<button></button>",
                                                                           content_type="text/html"))  # fmt: skip
        for path in ("bad", "good", "theirs"):
            tab.goto(f"http://audit.test/{path}")
        audits.finish(tab)
    finally:
        context.close()
    assert audits.checked == {"http://audit.test/bad", "http://audit.test/good"}  # not a page of someone else's
    [violation] = audits.violations
    assert violation.startswith("http://audit.test/bad: critical button-name")
