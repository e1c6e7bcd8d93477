"""Champions and network admins use the dashboards in a real browser, with axe on every page."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from keepitlocal.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_demo_champion_reviews_the_council_dashboard(page, demo):
    sign_in(page, "champion", DEMO_PASSWORD)
    assert page.url.endswith("/councils/east-sussex/")
    assert page.get_by_role("heading", name="Overview").is_visible()
    steps = page.locator(".govuk-task-list__item")
    assert "Completed" in steps.nth(2).inner_text()  # Cabinet champion appointed
    assert "Helen Marsh, Lead Member for Resources and Climate Change" in steps.nth(2).inner_text()
    assert "Completed" in steps.nth(3).inner_text()  # senior management champion
    principles = page.get_by_role("table", name="Stage and RAG status of each principle")
    assert principles.locator("tbody tr").count() == 6
    assert "Developing" in principles.locator("tbody tr").nth(2).inner_text()
    assert page.get_by_role("heading", name="Local spend").is_visible()
    main = page.locator("main")
    assert "67.9%" in main.inner_text()  # the demo's 2021-22 local spend
    # The demo has no endorsement and no practice assessment yet.
    assert main.get_by_text("Not recorded yet").count() == 2
    assert page.get_by_role("heading", name="Recent activity").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Champions").first.click()
    assert page.get_by_role("heading", name="Champions", exact=True).is_visible()
    assert page.get_by_text("Director of Adult Social Care and Health").first.is_visible()
    assert page.get_by_role("link", name="Appoint a cabinet champion").count() == 0
    assert_accessible(page)

    page.get_by_role("link", name="Overview").click()
    page.get_by_role("link", name="Compare with peer councils").click()
    assert page.get_by_role("heading", name="Peer councils").is_visible()
    table = page.get_by_role("table", name="Member councils")
    assert table.get_by_text("Borsetshire District Council").is_visible()
    assert table.get_by_text("Your council").is_visible()
    assert page.get_by_role("img", name="Spread of stages across the network").is_visible()
    assert_accessible(page)


def test_council_admin_hands_over_the_cabinet_champion_post(page, demo):
    sign_in(page, "council-admin", DEMO_PASSWORD)
    page.goto("/councils/east-sussex/champions/")
    page.get_by_role("link", name="Appoint a cabinet champion").click()
    assert page.get_by_role("heading", name="Appoint a champion").is_visible()
    assert page.get_by_label("Cabinet champion").is_checked()
    assert_accessible(page)

    page.get_by_label("Or their name, if they have no account").fill("Councillor Amy Rowe")
    page.locator("#id_starts_on_0").fill("1")
    page.locator("#id_starts_on_1").fill("4")
    page.locator("#id_starts_on_2").fill("2025")
    page.get_by_role("button", name="Save").click()
    assert "Enter their title" in page.locator(".govuk-error-summary").inner_text()
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    page.get_by_label("Title").fill("Cabinet Member for Communities")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Councillor Amy Rowe recorded as cabinet champion.").is_visible()
    assert page.get_by_text("Helen Marsh’s appointment ended on 31 March 2025.").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="End appointment of Councillor Amy Rowe").click()
    assert page.get_by_role("heading", name="End Councillor Amy Rowe's appointment").is_visible()
    assert_accessible(page)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    page.locator("#id_ends_on_0").fill(str(yesterday.day))
    page.locator("#id_ends_on_1").fill(str(yesterday.month))
    page.locator("#id_ends_on_2").fill(str(yesterday.year))
    page.get_by_role("button", name="End appointment").click()
    assert page.get_by_text("Vacant").first.is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Overview").click()
    assert "Incomplete" in page.locator(".govuk-task-list__item").nth(2).inner_text()
    assert_accessible(page)


def test_council_admin_chooses_to_share_with_peers(page, demo):
    sign_in(page, "council-admin", DEMO_PASSWORD)
    page.goto("/councils/east-sussex/network/")
    page.get_by_role("link", name="Change whether your council shares its progress").click()
    assert page.get_by_label("No, keep it to our council and Locality").is_checked()
    assert_accessible(page)
    page.get_by_label("Yes, share it").check()
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Peer councils can now see your council’s progress.").is_visible()
    assert_accessible(page)


def test_network_admin_sorts_filters_and_exports_the_network(page, demo):
    call_command("seed_network", councils=60, years=1, stdout=None)
    sign_in(page, "network-admin", DEMO_PASSWORD)
    page.goto("/councils/")
    page.get_by_role("link", name="East Sussex County Council").click()
    page.get_by_role("link", name="Network").click()
    assert page.url.endswith("/network/")
    assert page.get_by_role("heading", name="Network", exact=True).is_visible()
    assert page.get_by_text("Showing 1 to 50 of 62 councils").is_visible()
    chart = page.get_by_role("img", name="Spread of stages across the network")
    assert chart.is_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Pages of councils").get_by_role(
        "link", name="Page 2"
    ).click()
    assert page.get_by_text("Showing 51 to 62 of 62 councils").is_visible()
    assert_accessible(page)

    table = page.get_by_role("table", name="Member councils")
    table.get_by_role("link", name="Joined").click()
    table = page.get_by_role("table", name="Member councils")
    assert table.locator("th", has_text="Joined").get_attribute("aria-sort") == "ascending"
    assert_accessible(page)

    page.get_by_text("Filter councils").click()
    page.get_by_label("Council name").fill("East Sussex")
    page.get_by_role("button", name="Apply filters").click()
    assert page.get_by_text("Showing 1 to 1 of 1 council (of 62)").is_visible()
    assert_accessible(page)

    page.get_by_label("At stage").select_option("embedded")
    page.get_by_label("Principle", exact=True).select_option("")
    page.get_by_role("button", name="Apply filters").click()
    assert page.get_by_role("link", name="Select the principle the stage is for").is_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    page.get_by_role("link", name="Clear filters").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the table as CSV").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert len(rows) == 63
    assert rows[0][0] == "Council"


def test_people_of_a_council_cannot_open_the_network_dashboard(page, demo):
    sign_in(page, "champion", DEMO_PASSWORD)
    page.goto("/network/")
    assert page.get_by_role("heading", name="You cannot do this").is_visible()
    assert_accessible(page)
