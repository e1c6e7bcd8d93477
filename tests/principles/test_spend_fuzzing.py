"""Random and hostile input to every local spend form and to the file reader: never a server
error, and a file is either read or refused with a reason."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from principles.spend.transparency import (
    FileRefused,
    Payment,
    Problem,
    guess_columns,
    inspect_file,
    read_payments,
)
from tests.factories import LocalSpendImportFactory, LocalSpendPeriodFactory, SupplierFactory

hostile = st.one_of(
    st.text(max_size=120),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "' OR 1=1; --",
            "\x00",
            "9" * 60,
            "-1",
            "1e999",
            "NaN",
            "Infinity",
            "£-0.001m",
            "99999999999999999999",
            "\u202e",
            "",
        ]
    ),
)
FORMS = {
    "periods/add/": [
        "version",
        "kind",
        "quarter",
        "financial_year",
        "source",
        "total_spend",
        "local_spend",
        "local_supplier_count",
        "tier2_local_spend",
        "sme_spend",
        "vcse_spend",
        "target_percentage",
    ],
    "periods/{period}/": [
        "version",
        "source",
        "total_spend",
        "local_spend",
        "local_supplier_count",
        "tier2_local_spend",
        "target_percentage",
    ],
    "settings/": ["target_percentage", "local_areas"],
    "suppliers/{supplier}/": ["version", "postcode", "local", "is_sme", "is_vcse"],
    "files/{imported}/undo/": ["reason"],
    "files/{spend_import}/columns/": [
        "paid_on",
        "supplier_name",
        "supplier_ref",
        "amount",
        "department",
        "postcode",
    ],
}
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db
@pytest.mark.parametrize("form", list(FORMS))
def test_local_spend_forms_never_fail(client, officer, council, form):
    objects = {
        "period": LocalSpendPeriodFactory(council=council, financial_year=2021).pk,
        "supplier": SupplierFactory(council=council).pk,
        "spend_import": LocalSpendImportFactory(council=council).pk,
        "imported": LocalSpendImportFactory(council=council, status="imported").pk,
    }
    client.force_login(officer)
    url = f"/councils/{council.slug}/local-spend/{form.format(**objects)}"

    @FUZZ
    @given(data=st.dictionaries(st.sampled_from(FORMS[form]), hostile))
    def post(data):
        response = client.post(url, data)
        assert response.status_code in {200, 302}
        assert b"<script>alert(1)</script>" not in response.content

    post()


@pytest.mark.django_db
def test_uploading_any_bytes_never_fails(client, officer, council):
    client.force_login(officer)
    url = f"/councils/{council.slug}/local-spend/files/add/"

    @FUZZ
    @given(content=st.binary(max_size=400), name=st.sampled_from(["spend.csv", "x.txt", "x"]))
    def post(content, name):
        response = client.post(url, {"file": SimpleUploadedFile(name, content)})
        assert response.status_code in {200, 302}

    post()


supplier_cells = st.one_of(
    st.text(alphabet=st.characters(codec="cp1252"), max_size=15),
    st.sampled_from(["S1", "yes", "No", "not known", "postcode", "BN7 1UE", "'=1", '"', ""]),
)


@pytest.mark.django_db
def test_uploading_any_supplier_file_never_fails(client, officer, council):
    SupplierFactory(council=council, name="S1", key="id:S1")
    client.force_login(officer)
    url = f"/councils/{council.slug}/local-spend/suppliers/update/"

    @FUZZ
    @given(
        rows=st.lists(st.lists(supplier_cells, max_size=5), max_size=6),
        raw=st.binary(max_size=200),
        use_raw=st.booleans(),
    )
    def post(rows, raw, use_raw):
        lines = ["Supplier ID,Supplier,Postcode,Local,SME", *(",".join(row) for row in rows)]
        content = raw if use_raw else "\n".join(lines).encode("cp1252", errors="replace")
        response = client.post(url, {"file": SimpleUploadedFile("s.csv", content)})
        assert response.status_code in {200, 302}
        assert b"<script>" not in response.content

    post()


cells = st.one_of(
    st.text(alphabet=st.characters(codec="cp1252"), max_size=15),
    st.sampled_from(["01/04/2022", "£1,234.56", "(5.00)", "2022-13-01", '"', ",", "\n", ""]),
)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.lists(cells, max_size=6), max_size=12),
    encoding=st.sampled_from(["utf-8", "cp1252"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_any_file_of_text_is_read_or_refused_with_a_reason(rows, encoding, delimiter):
    lines = [delimiter.join(["Date", "Supplier", "Amount", "VAT"])]
    lines += [delimiter.join(row) for row in rows]
    data = "\n".join(lines).encode(encoding)
    try:
        shape = inspect_file([data])
    except FileRefused as refused:
        assert str(refused)
        return
    mapping = guess_columns(shape.headers) or {"paid_on": 0, "supplier_name": 1, "amount": 2}
    mapping.setdefault("paid_on", 0)
    mapping.setdefault("amount", 2)
    for row in read_payments(
        io.BytesIO(data),
        encoding=shape.encoding,
        delimiter=shape.delimiter,
        header_row=shape.header_row,
        mapping=mapping,
        header_width=len(shape.headers),
    ):
        assert isinstance(row, Payment | Problem)
        if isinstance(row, Problem):
            assert row.line >= 1 and row.reason


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=600))
def test_any_bytes_are_read_or_refused_with_a_reason(data):
    try:
        shape = inspect_file([data[:100], data[100:]])
    except FileRefused as refused:
        assert str(refused)
        return
    for row in read_payments(
        io.BytesIO(data),
        encoding=shape.encoding,
        delimiter=shape.delimiter,
        header_row=shape.header_row,
        mapping={"paid_on": 0, "supplier_name": 1, "amount": 2},
        header_width=len(shape.headers),
    ):
        assert isinstance(row, Payment | Problem)
