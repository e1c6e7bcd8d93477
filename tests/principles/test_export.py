import csv
import io

import pytest

from tests.factories import ActionFactory, EvidenceFactory, PrincipleProgressFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_export_is_a_utf8_csv_with_bom_of_this_council_only(
    client, officer, council, other_council, django_assert_max_num_queries
):
    PrincipleProgressFactory(council=council, narrative="Spend with Café Ltd: £10")
    ActionFactory(council=council, title='=HYPERLINK("http://evil")')
    EvidenceFactory(council=council, title="Minutes")
    ActionFactory(council=other_council, title="Their secret action")
    client.force_login(officer)
    client.get(f"/councils/{council.slug}/")
    with django_assert_max_num_queries(6):
        response = client.get(f"/councils/{council.slug}/principles/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="east-sussex-')
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Record", "Principle", "Title"]
    records = {(row[0], row[2]) for row in rows[1:]}
    assert ("Action", '\'=HYPERLINK("http://evil")') in records
    assert ("Evidence", "Minutes") in records
    assert any("Café Ltd: £10" in row[12] for row in rows[1:])
    assert "Their secret action" not in response.content.decode("utf-8-sig")
