"""Browser tests: Playwright drives the system Chromium against ``live_server``.

Playwright's own browser download is not used; ``CHROMIUM`` names the browser
(default /usr/bin/chromium). Every page a test visits is checked with axe-core.
"""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


_is_visible_now = Locator.is_visible


def _is_visible_once_loaded(self, **kwargs) -> bool:
    """``is_visible`` that first gives the page time to arrive, as a person would.

    Playwright's own ``is_visible`` answers at once, so an assertion straight after a click
    can look at the page before the next one has loaded, on a busy machine.
    """
    try:
        self.first.wait_for(state="visible", timeout=5_000)
    except PlaywrightTimeoutError:
        return False
    return _is_visible_now(self, **kwargs)


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the tests' own
    # database work is still synchronous, so Django's guard is lifted here only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    Locator.is_visible = _is_visible_once_loaded
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    Locator.is_visible = _is_visible_now
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


_axe = Axe()


def assert_accessible(page) -> None:
    """Fail on any WCAG 2.2 A or AA violation axe-core finds on the page."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response["violations"]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in violations
    ]
    assert violations == [], f"axe found on {page.url}:\n" + "\n".join(details)


def sign_in(page, username: str, password: str) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def demo(transactional_db):
    """The demo data, on a database that earlier live-server tests have flushed.

    Flushing removes what data migrations seeded, so the principles and the first
    assessment framework are put back with the migrations' own functions before the
    demo is loaded.
    """
    import importlib

    from django.apps import apps
    from django.core.management import call_command

    seed = importlib.import_module("principles.migrations.0002_seed_the_six_principles")
    seed.seed_principles(apps, None)
    framework = importlib.import_module("principles.migrations.0007_publish_the_first_framework")
    framework.publish_first_version(apps, None)
    call_command("seed_demo")
