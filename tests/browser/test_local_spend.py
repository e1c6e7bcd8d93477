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

DATA = Path(__file__).parent.parent / "principles" / "data"
AWKWARD = DATA / "awkward-spend-2022-23.csv"
REISSUE = DATA / "awkward-spend-2022-23-reissued.csv"


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
    assert latest(page) == (
        "Local share not known yet for 2022-23: 0% of £120,000 classified. Not known yet "
        "It is worked out once every supplier paid in 2022-23 is known to be local or not: "
        "classify the suppliers."
    )
    assert "2022-23: not known yet against a target of 60%" in chart_description(page)
    assert_accessible(page)

    page.get_by_role("link", name="Supplier register", exact=True).click()
    assert_accessible(page)
    page.locator("#classify-next").get_by_role("link", name="Café Lumière Ltd").click()
    assert page.get_by_role("heading", name="Café Lumière Ltd").is_visible()
    assert_accessible(page)
    page.get_by_label("Yes, it is local").check()
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text(
        "Café Lumière Ltd saved: local. Recomputed: 2022-23 10.4% local so far (not all "
        "suppliers classified)."
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
    assert page.get_by_text(
        "Recomputed: 2022-23 15.2% local so far (not all suppliers classified)."
    ).is_visible()

    page.get_by_role("link", name="Local spend", exact=True).click()
    assert latest(page).startswith(
        "Local share not known yet for 2022-23: 15.2% of £120,000 classified."
    )
    assert "2022-23: not known yet against a target of 60%" in chart_description(page)
    row = page.locator("#local-spend-periods tbody tr").nth(1)
    assert "15.2% so far: not known yet" in " ".join(row.inner_text().split())
    assert "Computed from 7 imported payments" in row.inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Principles", exact=True).click()
    page.get_by_role("link", name="3. Increase local spend to invest in the local economy").click()
    assert (
        page.locator("#principle-local-spend")
        .inner_text()
        .startswith("Local share not known yet for 2022-23: 15.2% of £120,000 classified.")
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


def import_file(page, path: Path) -> None:
    page.get_by_role("link", name="Import a spend file").click()
    page.get_by_label("Upload a spend file").set_input_files(str(path))
    page.get_by_role("button", name="Continue").click()
    if page.get_by_role("heading", name="Which column is which?").is_visible():
        page.get_by_label("Supplier name", exact=True).select_option(label="Column G: Who we paid")
        page.get_by_role("button", name="Continue").click()


def test_officer_imports_a_reissue_undoes_the_first_file_and_classifies_from_a_file(
    page, demo, tmp_path
):
    sign_in(page, "officer", DEMO_PASSWORD)
    page.get_by_role("link", name="Local spend", exact=True).click()
    import_file(page, AWKWARD)
    page.get_by_role("button", name="Import file").click()
    assert page.get_by_text("Imported 7 payments from awkward-spend-2022-23.csv.").is_visible()

    import_file(page, REISSUE)  # the same column names: straight to the preview
    assert page.get_by_role("heading", name="Check the file before importing").is_visible()
    counted = page.locator("#payments-counted")
    assert counted.get_by_role("rowheader", name="Counted in 2022-23, 2023-24").is_visible()
    assert counted.get_by_text("Not counted: 2021-22 is entered by hand").is_visible()
    assert page.get_by_text("7 of the file's 12 payments (£122,549.01) will not be").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Import file").click()
    assert page.get_by_text("5 of them were already held from other files").is_visible()

    page.get_by_role("link", name="Imported spend files").click()
    assert_accessible(page)
    page.get_by_role("link", name="awkward-spend-2022-23.csv").click()
    assert page.get_by_role("heading", name="Imported file").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Undo this import").click()
    assert page.get_by_role("heading", name="Undo this import").is_visible()
    assert page.get_by_text("5 of them are in a later file too").is_visible()
    assert_accessible(page)
    page.get_by_label("Why are you undoing this import? (optional)").fill(
        "Replaced by the re-issued file"
    )
    page.get_by_role("button", name="Undo this import").click()
    assert page.get_by_role("heading", name="Import undone").is_visible()
    assert page.get_by_text("Replaced by the re-issued file").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Local spend", exact=True).click()
    page.get_by_role("link", name="Supplier register", exact=True).click()
    page.get_by_role("link", name="Update suppliers from a CSV file").click()
    assert page.get_by_role("heading", name="Update suppliers from a file").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Update the register").click()
    assert page.get_by_role("link", name="Select a supplier file").is_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    bad = tmp_path / "suppliers.csv"
    bad.write_text("Supplier ID,Local\nS1001,Perhaps\nS9999,Yes\n", encoding="utf-8")
    page.get_by_label("Upload a supplier file").set_input_files(str(bad))
    page.get_by_role("button", name="Update the register").click()
    assert page.get_by_text("2 rows of suppliers.csv cannot be used").is_visible()
    assert page.get_by_role("cell", name="Line 3").is_visible()
    assert_accessible(page)

    good = tmp_path / "classified.csv"
    good.write_text(
        "Supplier ID,Postcode,Local,SME\n"
        "S1001,,Yes,Yes\nS1002,,No,\nS1003,,No,No\nS1004,,No,\n"
        "S1005,TN34 1AA,,\nS1006,BN7 2AA,,Yes\n",
        encoding="utf-8",
    )
    page.get_by_label("Upload a supplier file").set_input_files(str(good))
    page.get_by_role("button", name="Update the register").click()
    assert page.get_by_text(
        "Supplier register updated from classified.csv: 6 suppliers changed"
    ).is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Back to local spend").click()
    assert latest(page) == (
        "100% of spend was local in 2023-24, against a target of 60%. Target met"
    )
    row = page.locator("#local-spend-periods tbody tr").nth(1)
    assert "15.2%" in row.inner_text()  # 2022-23: £20,998.51 of £138,249.01
    assert_accessible(page)
