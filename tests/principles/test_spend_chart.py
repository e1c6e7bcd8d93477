"""The local spend chart: an accessible SVG drawn on the server, readable without colour."""

from decimal import Decimal

import lxml.html
import pytest
from django.template.loader import render_to_string

from keepitlocal.charts import line_chart
from tests.factories import LocalSpendPeriodFactory
from tests.html import page


def chart(**overrides):
    return line_chart(
        **{
            "chart_id": "spend",
            "title": "Local spend by financial year",
            "labels": ["2021-22", "2022-23", "2023-24"],
            "values": [Decimal("67.9"), None, Decimal("50")],
            "targets": [Decimal("60")] * 3,
            **overrides,
        }
    )


def test_points_are_placed_by_value_and_a_missing_value_breaks_the_line():
    drawn = chart()
    top, bottom = drawn.top, drawn.bottom
    heights = [point.y for point in drawn.points]
    assert heights[1] is None
    assert heights[0] == pytest.approx(bottom - 0.679 * (bottom - top), abs=0.1)
    assert heights[2] == pytest.approx(bottom - 0.5 * (bottom - top), abs=0.1)
    assert drawn.line_paths == ()  # no two neighbouring points both have values
    assert [point.value_text for point in drawn.points] == ["67.9%", "", "50%"]


def test_the_target_is_a_labelled_line_across_the_chart():
    drawn = chart()
    assert drawn.target_label == "Target 60%"
    assert len(drawn.target_paths) == 1
    sixty = drawn.bottom - 0.6 * (drawn.bottom - drawn.top)
    coordinates = drawn.target_paths[0].removeprefix("M ").split(" L ")
    assert coordinates[0] == f"{drawn.left:.1f} {sixty:.1f}"
    assert coordinates[-1] == f"{drawn.right:.1f} {sixty:.1f}"
    assert {pair.split()[1] for pair in coordinates} == {f"{sixty:.1f}"}


def test_a_changing_target_is_labelled_without_a_single_figure():
    drawn = chart(targets=[Decimal("60"), Decimal("62"), None])
    assert drawn.target_label == "Target"


def test_the_description_states_every_figure():
    assert chart().description == (
        "Local spend by financial year. 2021-22: 67.9% against a target of 60%; "
        "2022-23: no figures against a target of 60%; 2023-24: 50% against a target of 60%."
    )


def test_values_outside_the_scale_are_drawn_at_its_edge_and_labelled_truly():
    drawn = chart(values=[Decimal("-5"), Decimal("120"), Decimal("0")])
    assert drawn.points[0].y == drawn.bottom
    assert drawn.points[1].y == drawn.top
    assert drawn.points[1].value_text == "120%"


def test_the_svg_is_an_image_named_and_described_with_a_dashed_target():
    svg = lxml.html.fromstring(render_to_string("includes/line_chart.html", {"chart": chart()}))
    image = svg.cssselect("svg")[0]
    assert image.get("role") == "img"
    assert image.get("aria-labelledby") == "spend-title"
    assert image.get("aria-describedby") == "spend-desc"
    assert svg.cssselect("title#spend-title")[0].text == "Local spend by financial year"
    assert "2021-22: 67.9%" in svg.cssselect("desc#spend-desc")[0].text
    assert svg.cssselect("path[stroke-dasharray]")
    labels = [text.text_content() for text in svg.cssselect("text")]
    assert "Target 60%" in labels and "67.9%" in labels and "2021-22" in labels


@pytest.mark.django_db
def test_the_local_spend_page_shows_the_chart_beside_a_table_of_the_same_figures(
    client, officer, council
):
    LocalSpendPeriodFactory(council=council, financial_year=2021, local_spend=679_000)
    LocalSpendPeriodFactory(council=council, financial_year=2022, local_spend=612_000)
    client.force_login(officer)
    shown = page(client.get(f"/councils/{council.slug}/local-spend/"))
    description = shown.cssselect("svg#local-spend-years desc")[0].text
    assert "2021-22: 67.9% against a target of 60%; 2022-23: 61.2% against a target of 60%" in (
        description
    )
    cells = [row.cssselect("td")[2].text_content() for row in shown.cssselect("tbody tr")]
    assert cells[:2] == ["67.9%", "61.2%"]
