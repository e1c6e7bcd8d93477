"""Reading councils' spend files however they are written: encodings, headers, amounts, dates."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest

from principles.spend.postcodes import normalise_postcode, parse_local_areas, postcode_is_local
from principles.spend.transparency import (
    FileRefused,
    Payment,
    Problem,
    column_letter,
    guess_columns,
    headers_key,
    inspect_file,
    normalise_supplier_name,
    parse_amount,
    parse_date,
    read_payments,
    supplier_key,
)

AWKWARD = Path(__file__).parent / "data" / "awkward-spend-2022-23.csv"


def read(data: bytes, mapping=None):
    shape = inspect_file([data])
    rows = list(
        read_payments(
            io.BytesIO(data),
            encoding=shape.encoding,
            delimiter=shape.delimiter,
            header_row=shape.header_row,
            mapping=mapping if mapping is not None else guess_columns(shape.headers),
            header_width=len(shape.headers),
        )
    )
    return shape, rows


@pytest.mark.parametrize(
    ("text", "pounds"),
    [
        ("1234.56", "1234.56"),
        ("£1,234.56", "1234.56"),
        ("  £12,500  ", "12500.00"),
        ("(250.00)", "-250.00"),
        ("(£1,234.56)", "-1234.56"),
        ("(-5)", "-5.00"),
        ("999,999,999,999.99", "999999999999.99"),
        ("£(1,200.00)", "-1200.00"),
        ("-£75.00", "-75.00"),
        ("£-75", "-75.00"),
        ("75.00-", "-75.00"),
        ("−75", "-75.00"),
        ("10.00 CR", "-10.00"),
        ("GBP 99", "99.00"),
        ("1,234,567.891", "1234567.89"),
        (".5", "0.50"),
    ],
)
def test_amounts_are_read_in_any_published_style(text, pounds):
    assert parse_amount(text) == Decimal(pounds)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "the amount is missing"),
        ("abc", "the amount “abc” is not an amount in pounds"),
        ("1,2,3", "is not an amount in pounds"),
        ("1e5", "is not an amount in pounds"),
        ("NaN", "is not an amount in pounds"),
        ("12,34.00", "is not an amount in pounds"),
        ("1000000000000", "is too large"),
        ("1,000,000,000,000", "is too large"),
        ("()", "is not an amount in pounds"),
        ("£", "is not an amount in pounds"),
    ],
)
def test_an_unreadable_amount_says_why(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_amount(text)


@pytest.mark.parametrize(
    "text",
    [
        "01/04/2022",
        "1/4/2022",
        "1/4/22",
        "01-04-2022",
        "01.04.2022",
        "2022-04-01",
        "2022/04/01",
        "20220401",
        "1-Apr-2022",
        "01-APR-22",
        "1 April 2022",
        "1st April 2022",
        "01/04/2022 00:00:00",
        "2022-04-01T09:30:00",
    ],
)
def test_dates_are_read_day_first_in_any_published_style(text):
    assert parse_date(text) == datetime.date(2022, 4, 1)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "the date is missing"),
        ("31/02/2022", "is not a real date"),
        ("13/13/2022", "is not a real date"),
        ("Total", "is not a date like 31/03/2022"),
        ("1 Smarch 2022", "is not a date like"),
        ("01/01/1900", "is not a likely payment date"),
    ],
)
def test_an_unreadable_date_says_why(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_date(text)


def test_awkward_windows_1252_file_with_a_title_line_is_read():
    shape, rows = read(AWKWARD.read_bytes())
    assert shape.encoding == "cp1252"
    assert shape.header_line == 3
    assert shape.headers[6] == "Who we paid"
    payments = [row for row in rows if isinstance(row, Payment)]
    assert [row for row in rows if isinstance(row, Problem)] == []
    assert len(payments) == 7
    assert payments[0].line == 4
    assert payments[0].supplier_key == "id:S1001"
    assert sum(p.amount for p in payments) == Decimal("120000.00")
    assert [p.amount for p in payments if p.amount < 0] == [Decimal("-1200.00"), Decimal("-75.00")]
    assert payments[3].irrecoverable_vat == Decimal("1250.00")
    assert payments[3].purpose == "Road repairs – A259"


def test_supplier_names_with_accents_survive_windows_1252():
    mapping = {"paid_on": 3, "amount": 5, "supplier_name": 6, "supplier_ref": 7}
    _, rows = read(AWKWARD.read_bytes(), mapping)
    assert rows[0].supplier_name == "Café Lumière Ltd"


def test_utf8_with_a_byte_order_mark_is_read_as_utf8():
    data = "\ufeffDate,Supplier,Amount\n01/04/2022,Café Ltd,£10\n".encode()
    shape, rows = read(data)
    assert shape.encoding == "utf-8-sig"
    assert shape.headers == ("Date", "Supplier", "Amount")
    assert rows[0].supplier_name == "Café Ltd"
    assert rows[0].amount == Decimal("10")


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_other_delimiters_are_recognised(delimiter):
    data = delimiter.join(["Date", "Supplier", "Amount"]) + "\n"
    data += delimiter.join(["01/04/2022", "Acme Ltd", "10.00"]) + "\n"
    shape, rows = read(data.encode())
    assert shape.delimiter == delimiter
    assert rows[0].amount == Decimal("10.00")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The selected file is empty"),
        (b"%PDF-1.7\x00\x01binary", "is not a CSV file of text"),
        ("Date,Supplier,Amount\n".encode("utf-16"), "is not a CSV file of text"),
        (b"Date,Supplier,Amount\n\x81\xe9\n", "is not a CSV file of text"),
        (b"just one line of text\nand another\n", "The file has no row of column names"),
    ],
)
def test_files_that_are_not_spend_files_are_refused_whole(content, message):
    with pytest.raises(FileRefused, match=message):
        inspect_file([content])


def test_a_file_read_in_chunks_has_the_same_fingerprint_as_read_whole():
    data = AWKWARD.read_bytes()
    whole = inspect_file([data])
    chunked = inspect_file([data[i : i + 7] for i in range(0, len(data), 7)])
    assert whole == chunked


def test_a_utf8_character_split_across_chunks_is_still_utf8():
    data = "Date,Supplier,Amount\n01/04/2022,Café Ltd,10\n".encode()
    split = data.index("é".encode()) + 1
    assert inspect_file([data[:split], data[split:]]).encoding == "utf-8-sig"


def test_bad_rows_are_reported_with_their_line_numbers_and_reasons():
    data = (
        b"Date,Supplier,Amount\n"
        b"01/04/2022,Acme Ltd,10.00\n"
        b"31/02/2022,Acme Ltd,10.00\n"
        b"\n"
        b"01/04/2022,,ten pounds\n"
        b'"01/04/2022","Multi\nline Ltd",5\n'
        b"01/04/2022,Short row\n"
        b"01/04/2022,Acme Ltd,1,000\n"
        b"01/04/2022,Acme Ltd,1,,\n"
    )
    _, rows = read(data)
    problems = [(row.line, row.reason) for row in rows if isinstance(row, Problem)]
    assert problems == [
        (3, "the date “31/02/2022” is not a real date"),
        (
            5,
            "the amount “ten pounds” is not an amount in pounds; "
            "the supplier's name and ID are both missing",
        ),
        (8, "the row has 2 columns, but the amount is in column C"),
        (
            9,
            "the row has 4 columns but the file names only 3: "
            "is there a comma in a value that is not in quotes?",
        ),
    ]
    # Empty cells after the last named column are only trailing commas.
    assert [row.line for row in rows if isinstance(row, Payment)] == [2, 6, 10]


def test_suppliers_are_recognised_by_id_else_by_normalised_name():
    assert normalise_supplier_name("ACME Ltd.") == normalise_supplier_name("Acme  Limited")
    assert normalise_supplier_name("Smith & Sons") == normalise_supplier_name("smith and sons")
    data = (
        b"Date,Supplier,Supplier ID,Amount\n"
        b"01/04/2022,Acme Ltd,,1\n"
        b"01/04/2022,ACME LIMITED,,2\n"
        b"01/04/2022,Acme Ltd,A1,3\n"
        b"01/04/2022,Acme Group,a1,4\n"
    )
    _, rows = read(data)
    assert [row.supplier_key for row in rows] == [
        "name:ACME LTD",
        "name:ACME LTD",
        "id:A1",
        "id:A1",
    ]


def test_columns_are_guessed_from_common_names():
    headers = [
        "Body name",
        "Directorate",
        "Expense Type",
        "Payment Date",
        "Supplier Name",
        "Supplier ID",
        "Amount (£)",
        "Irrecoverable VAT",
        "Merchant Category",
        "Supplier Postcode",
    ]
    assert guess_columns(headers) == {
        "department": 1,
        "purpose": 2,
        "paid_on": 3,
        "supplier_name": 4,
        "supplier_ref": 5,
        "amount": 6,
        "irrecoverable_vat": 7,
        "merchant_category": 8,
        "postcode": 9,
    }


def test_a_postcode_column_is_read_and_nonsense_in_it_left_out():
    data = b"Date,Supplier,Amount,Postcode\n01/04/2022,A,1,bn7 1ue\n01/04/2022,B,1,Various\n"
    _, rows = read(data)
    assert [row.postcode for row in rows] == ["BN7 1UE", ""]


def test_same_headers_in_another_case_or_spacing_are_the_same_headers():
    assert headers_key(["Date Paid", "Amount"]) == headers_key([" date  paid", "AMOUNT"])
    assert headers_key(["Date Paid", "Amount"]) != headers_key(["Amount", "Date Paid"])


def test_columns_are_named_as_a_spreadsheet_names_them():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701)] == ["A", "Z", "AA", "AB", "ZZ"]


@pytest.mark.parametrize(
    ("text", "postcode"),
    [
        ("bn7 1ue", "BN7 1UE"),
        ("BN71UE", "BN7 1UE"),
        ("BN111AA", "BN11 1AA"),
        ("tn34", "TN34"),
        ("SW1A 1AA", "SW1A 1AA"),
        ("not a postcode", None),
        ("12345", None),
    ],
)
def test_postcodes_are_normalised(text, postcode):
    assert normalise_postcode(text) == postcode


def test_a_postcode_is_local_by_its_area_or_its_district():
    assert postcode_is_local("BN7 1UE", ["BN"])
    assert postcode_is_local("RH15 9AA", ["BN", "RH15"])
    assert not postcode_is_local("RH16 1AA", ["BN", "RH15"])
    assert not postcode_is_local("B1 1AA", ["BN"])  # Birmingham is not Brighton
    assert parse_local_areas("bn, TN;  rh15 BN") == ["BN", "RH15", "TN"]
    with pytest.raises(ValueError, match="1AA"):
        parse_local_areas("BN1 1AA")  # a full postcode is not an area


def test_a_long_name_that_normalises_longer_still_gives_a_short_distinct_key():
    first, second = supplier_key("&" * 300, ""), supplier_key("&" * 299 + "x", "")
    assert len(first) <= 320 and len(second) <= 320
    assert first != second
    assert first == supplier_key("&" * 300, "")


@pytest.mark.parametrize(
    "headers",
    [
        ["Date", "Supplier", "Vat Reg No", "Amount"],
        ["Date", "Supplier", "VAT Registration Number", "Net Amount"],
        ["Date", "Supplier", "Supplier VAT Number", "Amount"],
        ["Date", "Supplier", "VAT No.", "Value"],
    ],
)
def test_a_vat_registration_number_is_never_taken_for_an_amount(headers):
    guessed = guess_columns(headers)
    assert guessed.get("amount") == 3
    assert 2 not in guessed.values()


def test_an_amount_excluding_vat_is_the_amount_not_the_vat():
    guessed = guess_columns(["Date", "Supplier", "Net Amount excl VAT", "Irrecoverable VAT"])
    assert (guessed["amount"], guessed["irrecoverable_vat"]) == (2, 3)


@pytest.mark.parametrize(
    ("headers", "department", "purpose"),
    [
        (["Date", "Supplier", "Amount", "Expense Area", "Expense Type"], 3, 4),
        (["Date", "Supplier", "Amount", "Expense Type", "Expense Area"], 4, 3),
        (["Date", "Supplier", "Amount", "Service Area", "Expense Area"], 3, None),
        (["Date", "Supplier", "Amount", "Expense Area"], 3, None),
    ],
)
def test_an_expense_area_is_a_department_never_the_purpose(headers, department, purpose):
    guessed = guess_columns(headers)
    assert guessed.get("department") == department
    assert guessed.get("purpose") == purpose


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Transaction No.", "transaction_ref"),
        ("Transaction Number", "transaction_ref"),
        ("Payment Reference", "transaction_ref"),
        ("Invoice Number", "invoice_ref"),
        ("Supplier Invoice No", "invoice_ref"),
    ],
)
def test_transaction_and_invoice_numbers_are_guessed(header, key):
    guessed = guess_columns(["Date Paid", "Supplier Name", "Supplier ID", "Amount", header])
    assert guessed[key] == 4
    assert (guessed["paid_on"], guessed["supplier_name"]) == (0, 1)
    assert (guessed["supplier_ref"], guessed["amount"]) == (2, 3)


def test_the_awkward_files_transaction_numbers_are_guessed():
    shape = inspect_file([AWKWARD.read_bytes()])
    assert guess_columns(shape.headers)["transaction_ref"] == 4
