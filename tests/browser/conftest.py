"""A real browser for the web pages: Debian's Chromium driven by Playwright (``make test`` installs it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# axe-core from npm (package.json; `make test` runs `npm ci`): run on every page a test opens.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# What fails a test: a violation a person using a screen reader, a keyboard or low vision cannot get past.
FAILING_IMPACTS = ("serious", "critical")
# In the top document of our own pages only (their header says so): not the frames Stripe.js makes.
# When the page has loaded, axe runs and the page reports to the test through a binding.
_AUDIT = """
if (window.top === window) {
%s
  window.addEventListener("load", () => setTimeout(async () => {
    if (!document.querySelector("header.site")) { window.__axeReport({url: location.href, ours: false}); return; }
    const result = await axe.run(document, {resultTypes: ["violations"]});
    window.__axeReport({url: location.href, ours: true, violations: result.violations
      .filter(v => %s.includes(v.impact))
      .map(v => ({rule: v.id, impact: v.impact, help: v.help,
                  where: v.nodes.slice(0, 5).map(n => n.target.join(" "))}))});
  }, 0));
}
"""
# No background traffic: this machine's network is closed, and Chromium's calls home would
# only slow every start (see the machine's notes on headless Chromium).
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip
PASSWORD = "correct horse battery"  # what tests.support.ApiClient registers everyone with


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the session."""
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium package"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page per test; console errors are kept for the report."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(20_000)
    audits = _Audits(context)
    tab = context.new_page()
    errors: list[Any] = []
    tab.on("pageerror", lambda error: errors.append(error))
    tab.on("load", lambda loaded: audits.loaded(loaded.url))
    yield tab
    try:
        audits.finish(tab)
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert audits.checked, "axe checked no page of ours"
    assert not audits.violations, "accessibility: serious or critical violations (axe-core):\n" + "\n".join(
        audits.violations
    )


class _Audits:
    """axe-core's verdict on every page of ours a test opened.

    A test may leave a page before axe has finished with it; ``finish`` opens again, by GET,
    each page that went unreported (its state may have moved on since: the page is the same).
    """

    def __init__(self, context: Any) -> None:
        assert AXE.exists(), f"{AXE} is missing: `make test` installs axe-core with npm ci"
        self.opened: dict[str, None] = {}
        self.reported: set[str] = set()
        self.checked: set[str] = set()
        self.violations: list[str] = []
        context.expose_binding("__axeReport", lambda _source, report: self._report(report))
        context.add_init_script(script=_AUDIT % (AXE.read_text(), list(FAILING_IMPACTS)))

    def loaded(self, url: str) -> None:
        if url.startswith("http") and not url.split("?")[0].endswith((".pdf", ".csv", ".ics")):
            self.opened.setdefault(url, None)

    def _report(self, report: dict[str, Any]) -> None:
        url = report["url"]
        self.reported.add(url)
        if not report["ours"] or url in self.checked:
            return
        self.checked.add(url)
        self.violations += [f"{url}: {v['impact']} {v['rule']} ({v['help']}) at {', '.join(v['where'])}"
                            for v in report["violations"]]  # fmt: skip

    def finish(self, tab: Page) -> None:
        """Wait for the last page's report, then open each page left unreported and wait for its."""
        self._wait(tab, tab.url)
        for url in [u for u in self.opened if u not in self.reported]:
            tab.goto(url)
            self._wait(tab, url)

    def _wait(self, tab: Page, url: str, seconds: float = 15) -> None:
        for _ in range(int(seconds * 10)):
            if url in self.reported or url not in self.opened:
                return
            tab.wait_for_timeout(100)


def screenshot(page: Page, name: str) -> Path:
    """Save what the page shows now, for a person to look at (test-artifacts/screenshots)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000
    return path


def sign_in(page: Page, base_url: str, email: str) -> None:
    """Sign in through the web form."""
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def fill_card(page: Page, number: str) -> None:
    """Type a test card into the (fake) Stripe Elements card field: any future date and CVC."""
    page.get_by_placeholder("number").fill(number)
    page.get_by_placeholder("exp_month").fill("12")
    page.get_by_placeholder("exp_year").fill("30")
    page.get_by_placeholder("cvc").fill("123")
    page.get_by_placeholder("postal_code").fill("75015")
