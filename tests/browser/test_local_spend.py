"""An officer imports an awkward spend file, classifies suppliers and sees local spend move,
in a real browser, with axe on every page."""

from pathlib import Path

import pytest

from keepitlocal.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

AWKWARD = Path(__file__).parent.parent / "principles" / "data" / "awkward-spend-2022-23.csv"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def latest(page) -> str:
    return " ".join(page.locator("#latest-local-spend").inner_text().split())


def chart_description(page) -> str:
    return page.locator("svg#local-spend-years desc").text_content()


def test_officer_imports_a_spend_file_and_classifies_two_suppliers(page, demo):
    sign_in(page, "officer", DEMO_PASSWORD)
    page.get_by_role("link", name="Local spend", exact=True).click()
    assert latest(page) == (
        "67.9% of spend was local in 2021-22, against a target of 60%. Target met"
    )
    assert "2021-22: 67.9% against a target of 60%" in chart_description(page)
    assert_accessible(page)

    page.get_by_role("link", name="Import a spend file").click()
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("link", name="Select a spend file").is_visible()
    assert page.title().startswith("Error: Import a spend file")
    assert_accessible(page)
    page.get_by_label("Upload a spend file").set_input_files(str(AWKWARD))
    page.get_by_role("button", name="Continue").click()

    assert page.get_by_role("heading", name="Which column is which?").is_visible()
    assert page.get_by_text("The column names are on line 3 of the file.").is_visible()
    assert_accessible(page)
    page.get_by_label("Supplier name", exact=True).select_option(label="Column G: Who we paid")
    page.get_by_role("button", name="Continue").click()

    assert page.get_by_role("heading", name="Check the file before importing").is_visible()
    assert page.get_by_text("7, of which 2 credit notes").is_visible()
    assert page.get_by_role("cell", name="Café Lumière Ltd").first.is_visible()
    assert page.get_by_text("Windows-1252 text, column names on line 3").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Import file").click()

    assert page.get_by_text("Imported 7 payments from awkward-spend-2022-23.csv.").is_visible()
    assert latest(page) == "0% of spend was local in 2022-23, against a target of 60%. Below target"
    assert "2022-23: 0% against a target of 60%" in chart_description(page)
    assert_accessible(page)

    page.get_by_role("link", name="Supplier register", exact=True).click()
    assert_accessible(page)
    page.locator("#classify-next").get_by_role("link", name="Café Lumière Ltd").click()
    assert page.get_by_role("heading", name="Café Lumière Ltd").is_visible()
    assert_accessible(page)
    page.get_by_label("Yes, it is local").check()
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text(
        "Café Lumière Ltd saved: local. Recomputed: 2022-23 10.4% local."
    ).is_visible()
    assert_accessible(page)

    page.locator("#classify-next").get_by_role("link", name="Hastings Ironworks Ltd").click()
    page.get_by_label("Decide from its postcode").check()
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role(
        "link", name="Enter the supplier's postcode to decide from it"
    ).is_visible()
    assert_accessible(page)
    page.get_by_label("Postcode", exact=True).fill("tn34 1aa")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Recomputed: 2022-23 15.2% local.").is_visible()

    page.get_by_role("link", name="Local spend", exact=True).click()
    assert latest(page) == (
        "15.2% of spend was local in 2022-23, against a target of 60%. Below target"
    )
    assert "2022-23: 15.2% against a target of 60%" in chart_description(page)
    assert page.locator("svg#local-spend-years text", has_text="15.2%").count() == 1
    row = page.locator("#local-spend-periods tbody tr").nth(1)
    assert "15.2%" in row.inner_text()
    assert "Computed from 7 imported payments" in row.inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Principles", exact=True).click()
    page.get_by_role("link", name="3. Increase local spend to invest in the local economy").click()
    assert (
        page.locator("#principle-local-spend")
        .inner_text()
        .startswith("15.2% of spend was local in 2022-23")
    )
    assert_accessible(page)


def test_officer_adds_and_changes_a_period_and_the_settings(page, demo):
    sign_in(page, "officer", DEMO_PASSWORD)
    page.get_by_role("link", name="Local spend", exact=True).click()

    page.get_by_role("link", name="Add a period").click()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert_accessible(page)
    page.get_by_role("radio", name="Financial year").check()
    page.get_by_role("textbox", name="Financial year").fill("2022")
    page.get_by_label("Entered by hand").check()
    page.get_by_label("Total third-party spend").fill("400,000,000")
    page.get_by_label("Spend with local suppliers").fill("£280,000,000")
    page.get_by_label("Number of local suppliers").fill("940")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("2022-23 added.").is_visible()
    assert "70% of spend was local in 2022-23" in latest(page)
    assert_accessible(page)

    page.get_by_role("link", name="2022-23 – change").click()
    assert_accessible(page)
    page.get_by_label("Spend with local suppliers").fill("200000000")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("2022-23 saved.").is_visible()
    assert "50% of spend was local in 2022-23" in latest(page)

    page.get_by_role("link", name="Change settings").click()
    assert_accessible(page)
    page.get_by_label("Local spend target (%)").fill("sixty")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert_accessible(page)
