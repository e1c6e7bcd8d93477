"""Reading councils' "spend over £500" files, published under the Local Government
Transparency Code 2015.

No two councils write them alike: UTF-8 or Windows-1252 text, a title line above the
column names, headers in the council's own words, amounts as "£1,234.56", "(250.00)" or
"-250", dates as 01/04/2021, 2021-04-01 or 1-Apr-21. This module reads one from a binary
file, row by row (never the whole file at once), into payments, or into the reasons its
rows cannot be read. It knows nothing of the database.
"""

import codecs
import csv
import datetime
import hashlib
import io
import operator
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from principles.spend.postcodes import normalise_postcode

# Refused at this size and above. Counted in millions of bytes, so a file of
# 100 MiB (which some tools call 100 MB) is refused as well.
MAX_FILE_BYTES = 100_000_000
MAX_PROBLEMS_SHOWN = 50
MAX_SUPPLIER_NAME = 300
MAX_SUPPLIER_REF = 100
MAX_PAYMENT_REF = 100
# The column names must be within the first rows (some files put a title above them).
HEADER_SEARCH_ROWS = 20
_HEAD_BYTES = 64 * 1024
_PENNY = Decimal("0.01")
_TOO_LARGE = Decimal(10) ** 12

NOT_TEXT = (
    "The selected file is not a CSV file of text. Save it from your spreadsheet as "
    "“CSV (comma delimited)” or “CSV UTF-8” and upload it again"
)


class FileRefused(Exception):
    """The file as a whole cannot be read. The message is for the person who uploaded it."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    hint: str = ""


COLUMNS = (
    Column("paid_on", "Date paid", "Required"),
    Column("supplier_name", "Supplier name", "The beneficiary. A supplier name or ID is required"),
    Column("supplier_ref", "Supplier ID", "The council's reference for the supplier"),
    Column("amount", "Amount", "Required. Credit notes are negative amounts"),
    Column("department", "Department", "Or directorate, or service area"),
    Column("purpose", "Purpose of the spend", "Or expense type"),
    Column("irrecoverable_vat", "Irrecoverable VAT"),
    Column("merchant_category", "Merchant category", "For purchase card payments"),
    Column(
        "postcode",
        "Supplier postcode",
        "Not part of the Transparency Code, but some councils publish it",
    ),
    Column(
        "transaction_ref",
        "Transaction number",
        "Recognises a payment already imported from another file",
    ),
    Column(
        "invoice_ref",
        "Invoice number",
        "Without a transaction number, a payment is recognised by its date, supplier, "
        "amount and invoice number",
    ),
)
COLUMN_LABELS = {column.key: column.label for column in COLUMNS}


@dataclass(frozen=True)
class FileShape:
    """What the whole file is: its fingerprint, its text encoding and where its columns are."""

    content_hash: str
    size: int
    encoding: str
    delimiter: str
    header_row: int  # how many CSV records come before the column names
    header_line: int  # the line of the file the column names are on
    headers: tuple[str, ...]

    @property
    def encoding_label(self) -> str:
        return "UTF-8" if self.encoding.startswith("utf-8") else "Windows-1252"


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how a spreadsheet names the column."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def headers_key(headers: Iterable[str]) -> str:
    """The same for two files whose column names are the same, whatever their case or spacing."""
    joined = "\x1f".join(" ".join(h.split()).casefold() for h in headers)
    return hashlib.sha256(joined.encode()).hexdigest()


# Bytes Windows-1252 leaves undefined: a file holding them is neither UTF-8 nor 1252 text.
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


NO_COLUMN_NAMES = (
    "The file has no row of column names. One of its first 20 lines must name the "
    "columns, such as date, supplier and amount"
)


def inspect_file(
    chunks: Iterable[bytes], *, min_columns: int = 3, no_column_names: str = NO_COLUMN_NAMES
) -> FileShape:
    """Fingerprint the file in one pass and find its encoding, delimiter and column names:
    the first row naming at least ``min_columns`` columns.

    Raises FileRefused when it is empty, not text, or has no row of column names.
    """
    digest = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = is_cp1252 = True
    size = 0
    head = bytearray()
    for chunk in chunks:
        if b"\x00" in chunk:
            raise FileRefused(NOT_TEXT)
        size += len(chunk)
        digest.update(chunk)
        if len(head) < _HEAD_BYTES:
            head += chunk[: _HEAD_BYTES - len(head)]
        if is_utf8:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError:
                is_utf8 = False
        if is_cp1252 and any(byte in chunk for byte in _CP1252_UNDEFINED):
            is_cp1252 = False
    if size == 0:
        raise FileRefused("The selected file is empty")
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    if not (is_utf8 or is_cp1252):
        raise FileRefused(NOT_TEXT)
    encoding = "utf-8-sig" if is_utf8 else "cp1252"
    text = bytes(head).decode(encoding, errors="ignore")
    if size > len(head):  # only whole lines of a longer file
        text = text[: text.rfind("\n") + 1]
    delimiter, header_row, header_line, headers = _find_header(text, min_columns, no_column_names)
    return FileShape(
        content_hash=digest.hexdigest(),
        size=size,
        encoding=encoding,
        delimiter=delimiter,
        header_row=header_row,
        header_line=header_line,
        headers=headers,
    )


def _find_header(
    text: str, min_columns: int, no_column_names: str
) -> tuple[str, int, int, tuple[str, ...]]:
    """The delimiter whose first row of ``min_columns`` or more names is the widest, and
    that row."""
    best = None
    for delimiter in (",", ";", "\t", "|"):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        last_line = 0
        try:
            for index, row in enumerate(reader):
                line = last_line + 1
                last_line = reader.line_num
                if index >= HEADER_SEARCH_ROWS:
                    break
                named = sum(1 for cell in row if cell.strip())
                if named >= min_columns:
                    if best is None or named > best[0]:
                        headers = tuple(" ".join(cell.split()) for cell in row)
                        best = (named, delimiter, index, line, headers)
                    break
        except csv.Error:
            continue
    if best is None:
        raise FileRefused(no_column_names)
    return best[1:]


# --- Which column is which -------------------------------------------------

_SUPPLIER_WORDS = {"supplier", "beneficiary", "vendor", "payee", "creditor", "merchant"}
_ID_WORDS = {"id", "number", "no", "code", "ref", "reference", "urn"}
# A VAT registration number identifies a business; it is never an amount of VAT or spend.
_REGISTRATION_WORDS = _ID_WORDS | {"reg", "regn", "registration", "registered"}
# "Net amount excl VAT" is the amount, not the VAT.
_NOT_THE_VAT_WORDS = {"excl", "excluding", "ex", "exc", "net", "gross", "inc", "incl", "including"}
_AMOUNT_WORDS = {"amount", "value", "net", "total", "paid", "gross"}


def _words(header: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", header.casefold()))


def _is_vat_registration(words: set[str]) -> bool:
    return "vat" in words and bool(words & _REGISTRATION_WORDS)


def _is(key: str, header: str) -> bool:
    words = _words(header)
    lowered = header.casefold()
    if key == "merchant_category":
        return ("merchant" in words and bool(words & {"category", "type", "mcc"})) or "mcc" in words
    if key == "irrecoverable_vat":
        if "irrecoverable" in words:
            return True
        return "vat" in words and not _is_vat_registration(words) and not words & _NOT_THE_VAT_WORDS
    if key == "postcode":
        return "postcode" in words or {"post", "code"} <= words
    if key == "invoice_ref":
        return "invoice" in words and "date" not in words
    if key == "transaction_ref":
        return (
            bool(words & {"transaction", "payment", "document"})
            and bool(words & _ID_WORDS)
            and "date" not in words
        )
    if key == "supplier_ref":
        return (
            bool(words & _SUPPLIER_WORDS)
            and bool(words & _ID_WORDS)
            and not _is_vat_registration(words)
        )
    if key == "supplier_name":
        return bool(words & _SUPPLIER_WORDS) and not words & _REGISTRATION_WORDS
    if key == "paid_on":
        return "date" in words
    if key == "amount":
        if _is_vat_registration(words) or "irrecoverable" in words:
            return False
        return bool(words & _AMOUNT_WORDS) or "£" in lowered
    if key == "department":
        # "Service area", "Expense area": where the money was spent, not what on.
        return bool(
            words & {"department", "directorate", "service", "division", "portfolio", "area"}
        )
    if key == "purpose":
        return bool(
            words & {"purpose", "expense", "expenses", "expenditure", "description", "category"}
        ) and not words & {"area", "department", "directorate"}
    return False


# The most particular first, so "Merchant category" is not taken for the purpose.
_GUESS_ORDER = (
    "merchant_category",
    "irrecoverable_vat",
    "postcode",
    "invoice_ref",
    "transaction_ref",
    "supplier_ref",
    "supplier_name",
    "paid_on",
    "amount",
    "department",
    "purpose",
)


def guess_columns(headers: Iterable[str]) -> dict[str, int]:
    """A first guess at which column holds what, from the words in the column names."""
    headers = list(headers)
    taken: set[int] = set()
    mapping = {}
    for key in _GUESS_ORDER:
        for index, header in enumerate(headers):
            if index not in taken and header and _is(key, header):
                mapping[key] = index
                taken.add(index)
                break
    return mapping


# --- Values ----------------------------------------------------------------

_PLAIN_AMOUNT = re.compile(r"-?\d+(?:\.\d{1,2})?")
_GROUPED = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+")
_MINUS = ("-", "−", "–")  # hyphen, minus sign, en dash


def _show(value: str) -> str:
    value = " ".join(value.split())
    return f"“{value[:40]}…”" if len(value) > 40 else f"“{value}”"


# How most files write amounts: an optional minus and £, pounds with or without thousands
# commas, and pence. Read without the general path's replacing and rounding.
_COMMON_AMOUNT = re.compile(r"(-?)£?(\d{1,3}(?:,\d{3}){1,3}|\d{1,12})(\.\d{1,2})?")


def parse_amount(text: str, what: str = "amount") -> Decimal:
    """Pounds as a Decimal rounded to the penny: "£1,234.56", "(250.00)", "-£10", "10.00 CR".

    Brackets, a minus sign before or after, and CR all mean a credit (a negative amount).
    Raises ValueError with the reason, naming the value as ``what``.
    """
    value = text.strip()
    if _PLAIN_AMOUNT.fullmatch(value) and len(value) < 13:  # no more than 12 digits of pounds
        return Decimal(value)
    bracketed = value[:1] == "(" and value[-1:] == ")"
    common = _COMMON_AMOUNT.fullmatch(value[1:-1] if bracketed else value)
    if common:
        minus, pounds, pence = common.groups()
        amount = Decimal(pounds.replace(",", "") + (pence or ""))
        return -amount if bracketed or minus else amount
    return _parse_amount_in_any_style(value, what)


def _parse_amount_in_any_style(value: str, what: str) -> Decimal:
    if not value:
        raise ValueError(f"the {what} is missing")
    number = value.replace("£", "").replace("GBP", "").replace(" ", "")
    negative = False
    if number.startswith("(") and number.endswith(")"):
        negative, number = True, number[1:-1]
    if number.upper().endswith("CR"):
        negative, number = True, number[:-2]
    if number.startswith(_MINUS):
        negative, number = True, number[1:]
    elif number.endswith(_MINUS):
        negative, number = True, number[:-1]
    number = number.replace("£", "")
    if not _GROUPED.fullmatch(number):
        raise ValueError(f"the {what} {_show(value)} is not an amount in pounds")
    try:
        amount = Decimal(number.replace(",", "")).quantize(_PENNY, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(f"the {what} {_show(value)} is not an amount in pounds") from None
    if amount >= _TOO_LARGE:
        raise ValueError(f"the {what} {_show(value)} is too large")
    return -amount if negative else amount


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME)
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})" + _TIME)
_NAMED_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s/-]*([A-Za-z]{3,9})[\s/,-]*(\d{4}|\d{2})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


def parse_date(text: str) -> datetime.date:
    """A UK date, day first: 01/04/2021, 1/4/21, 01-04-2021, 2021-04-01, 1-Apr-2021, 1 April 2021.

    A time after the date (as spreadsheets add) is ignored. Raises ValueError with the reason.
    """
    value = text.strip()
    if not value:
        raise ValueError("the date is missing")
    if match := _ISO.fullmatch(value) or _COMPACT.fullmatch(value):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DAY_FIRST.fullmatch(value):
        day, month, year = (int(part) for part in match.groups())
        year = year + 2000 if year < 100 else year
    elif (match := _NAMED_MONTH.fullmatch(value)) and match.group(2).lower() in _MONTHS:
        day, month, year = int(match.group(1)), _MONTHS[match.group(2).lower()], int(match.group(3))
        year = year + 2000 if year < 100 else year
    else:
        raise ValueError(f"the date {_show(value)} is not a date like 31/03/2022")
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        raise ValueError(f"the date {_show(value)} is not a real date") from None
    if not 1990 <= date.year <= 2100:
        raise ValueError(f"the date {_show(value)} is not a likely payment date")
    return date


_LEGAL_FORMS = {"limited": "ltd", "ltd.": "ltd", "public limited company": "plc", "co": "company"}


def normalise_supplier_name(name: str) -> str:
    """The same for "ACME Ltd.", "Acme Limited" and "acme  ltd": one supplier, not three."""
    words = re.sub(r"[^\w\s]", " ", name.casefold().replace("&", " and ")).split()
    return " ".join(_LEGAL_FORMS.get(word, word) for word in words).upper()


MAX_SUPPLIER_KEY = 320


def supplier_key(name: str, ref: str) -> str:
    """How a supplier is recognised again: by its supplier ID, else by its normalised name."""
    key = f"id:{ref.upper()}" if ref else f"name:{normalise_supplier_name(name)}"
    if len(key) > MAX_SUPPLIER_KEY:
        # Normalising can lengthen a name ("&" becomes "and"): keep it unique, and short.
        key = f"{key[:250]}#{hashlib.sha256(key.encode()).hexdigest()}"
    return key


# --- Rows --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Payment:
    line: int
    paid_on: datetime.date
    amount: Decimal
    supplier_key: str
    supplier_name: str
    supplier_ref: str
    department: str
    purpose: str
    irrecoverable_vat: Decimal | None
    merchant_category: str
    postcode: str
    transaction_ref: str = ""
    invoice_ref: str = ""


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    reason: str


def payment_identity(payment: Payment) -> str:
    """What makes a payment the same payment in another file of the council's.

    Its transaction number, where the file has one, with its supplier (some files number a
    payment run, not a payment); else its date, supplier, amount and invoice number.
    """
    if payment.transaction_ref:
        return f"t:{payment.transaction_ref.casefold()}|{payment.supplier_key}"
    amount = payment.amount + 0  # no "-0.00"
    return (
        f"p:{payment.paid_on.isoformat()}|{payment.supplier_key}|{amount:.2f}|"
        f"{payment.invoice_ref.casefold()}"
    )


class PaymentKeys:
    """Gives each payment of one file, read in order, its key (see ``payment_identity``).

    The key counts how many times the identity came before in the same file: two like
    payments in one file (a split line, two equal invoices on one day) are two payments,
    and a re-issue holding both is recognised as holding both.
    """

    def __init__(self):
        self._seen: dict[str, int] = {}

    def __call__(self, payment: Payment) -> str:
        identity = payment_identity(payment)
        occurrence = self._seen.get(identity, 0) + 1
        self._seen[identity] = occurrence
        return hashlib.blake2b(f"{identity}#{occurrence}".encode(), digest_size=16).hexdigest()


class _RowParser:
    """Turns one row into a Payment or a Problem, remembering values it has seen (dates and
    supplier names repeat thousands of times in a year's file)."""

    def __init__(self, mapping: dict[str, int], header_width: int | None):
        self.columns = {column.key: mapping.get(column.key) for column in COLUMNS}
        self.header_width = header_width
        required = {key: self.columns[key] for key in ("paid_on", "amount")}
        for key in ("supplier_name", "supplier_ref"):
            if self.columns[key] is not None:
                required[key] = self.columns[key]
        self.widest_key = max(required, key=required.get)
        self.width = required[self.widest_key] + 1
        mapped = {key: index for key, index in self.columns.items() if index is not None}
        self.full_width = max(mapped.values()) + 1
        getters = [operator.itemgetter(index) for index in mapped.values()]
        keys = list(mapped)
        blank = dict.fromkeys([key for key, index in self.columns.items() if index is None], "")

        def cells(row: list[str]) -> dict[str, str]:
            found = {key: get(row).strip() for key, get in zip(keys, getters, strict=True)}
            found.update(blank)
            return found

        self._cells = cells
        self._dates: dict[str, datetime.date | str] = {}
        self._suppliers: dict[tuple[str, str], tuple[str, str, str] | str] = {}

    def _cell(self, row: list[str], key: str) -> str:
        index = self.columns[key]
        return row[index].strip() if index is not None and index < len(row) else ""

    def _date(self, text: str) -> datetime.date | str:
        cached = self._dates.get(text)
        if cached is None:
            try:
                cached = parse_date(text)
            except ValueError as reason:
                cached = str(reason)
            self._dates[text] = cached
        return cached

    def _supplier(self, name: str, ref: str) -> tuple[str, str, str] | str:
        cached = self._suppliers.get((name, ref))
        if cached is None:
            name_clean, ref_clean = " ".join(name.split()), " ".join(ref.split())
            if not name_clean and not ref_clean:
                cached = "the supplier's name and ID are both missing"
            elif len(name_clean) > MAX_SUPPLIER_NAME:
                cached = f"the supplier's name is longer than {MAX_SUPPLIER_NAME} characters"
            elif len(ref_clean) > MAX_SUPPLIER_REF:
                cached = f"the supplier ID is longer than {MAX_SUPPLIER_REF} characters"
            else:
                cached = (supplier_key(name_clean, ref_clean), name_clean or ref_clean, ref_clean)
            self._suppliers[(name, ref)] = cached
        return cached

    def parse(self, line: int, row: list[str]) -> Payment | Problem:
        if len(row) < self.width:
            label = COLUMN_LABELS[self.widest_key].lower()
            return Problem(
                line,
                f"the row has {len(row)} columns, but the {label} is in column "
                f"{column_letter(self.width - 1)}",
            )
        if (
            self.header_width is not None
            and len(row) > self.header_width
            and any(value.strip() for value in row[self.header_width :])
        ):
            # Most often an amount like 1,000 written without quotes, split in two.
            return Problem(
                line,
                f"the row has {len(row)} columns but the file names only {self.header_width}: "
                "is there a comma in a value that is not in quotes?",
            )
        if len(row) >= self.full_width:
            # Every mapped column is there: take the cells straight from the row.
            cell = self._cells(row)
        else:
            cell = {key: self._cell(row, key) for key in self.columns}
        reasons = []
        paid_on = self._date(cell["paid_on"])
        if isinstance(paid_on, str):
            reasons.append(paid_on)
        try:
            amount = parse_amount(cell["amount"])
        except ValueError as reason:
            reasons.append(str(reason))
        supplier = self._supplier(cell["supplier_name"], cell["supplier_ref"])
        if isinstance(supplier, str):
            reasons.append(supplier)
        vat_text = cell["irrecoverable_vat"]
        vat = None
        if vat_text:
            try:
                vat = parse_amount(vat_text, "irrecoverable VAT")
            except ValueError as reason:
                reasons.append(str(reason))
        transaction_ref = " ".join(cell["transaction_ref"].split())
        invoice_ref = " ".join(cell["invoice_ref"].split())
        for value, what in ((transaction_ref, "transaction"), (invoice_ref, "invoice")):
            if len(value) > MAX_PAYMENT_REF:
                reasons.append(f"the {what} number is longer than {MAX_PAYMENT_REF} characters")
        if reasons:
            return Problem(line, "; ".join(reasons))
        # A postcode column is an extra some councils publish: a value that is not a
        # postcode ("N/A", "Various") is left out rather than refusing the file.
        postcode_text = cell["postcode"]
        return Payment(
            line=line,
            paid_on=paid_on,
            amount=amount,
            supplier_key=supplier[0],
            supplier_name=supplier[1],
            supplier_ref=supplier[2],
            department=cell["department"],
            purpose=cell["purpose"],
            irrecoverable_vat=vat,
            merchant_category=cell["merchant_category"],
            postcode=(normalise_postcode(postcode_text) or "") if postcode_text else "",
            transaction_ref=transaction_ref,
            invoice_ref=invoice_ref,
        )


def read_rows(
    binary, *, encoding: str, delimiter: str, header_row: int
) -> Iterator[tuple[int, list[str]] | Problem]:
    """Every row below the column names as (line of the file, cells); blank rows are skipped.

    ``binary`` is a file opened for reading bytes; it is read as a stream and left open. A
    row the CSV reader cannot read ends the file with a Problem naming its line.
    """
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    try:
        reader = csv.reader(text, delimiter=delimiter)
        last_line = 0
        try:
            for index, row in enumerate(reader):
                line = last_line + 1
                last_line = reader.line_num
                if index <= header_row or not any(cell.strip() for cell in row):
                    continue
                yield line, row
        except csv.Error as error:
            yield Problem(last_line + 1, f"the row cannot be read as CSV ({error})")
    finally:
        text.detach()


def read_payments(
    binary,
    *,
    encoding: str,
    delimiter: str,
    header_row: int,
    mapping: dict[str, int],
    header_width: int | None = None,
) -> Iterator[Payment | Problem]:
    """Every row below the column names, as a Payment or a Problem; blank rows are skipped.

    ``binary`` is a file opened for reading bytes; it is read as a stream and left open.
    A row with values beyond the ``header_width`` named columns is a Problem.
    """
    parse = _RowParser(mapping, header_width).parse
    for row in read_rows(binary, encoding=encoding, delimiter=delimiter, header_row=header_row):
        yield row if type(row) is Problem else parse(*row)


def check_mapping(mapping: dict[str, int | None], width: int) -> dict[str, str]:
    """Reasons a column mapping cannot be used, by column key (empty when it can)."""
    errors = {}
    if mapping.get("paid_on") is None:
        errors["paid_on"] = "Select the column with the date paid"
    if mapping.get("amount") is None:
        errors["amount"] = "Select the column with the amount"
    if mapping.get("supplier_name") is None and mapping.get("supplier_ref") is None:
        errors["supplier_name"] = "Select the column with the supplier's name or ID"
    seen: dict[int, str] = {}
    for column in COLUMNS:
        index = mapping.get(column.key)
        if index is None:
            continue
        if not 0 <= index < width:
            errors[column.key] = f"Select a column of the file for {column.label.lower()}"
        elif index in seen:
            errors[column.key] = (
                f"Column {column_letter(index)} is already used for {seen[index].lower()}"
            )
        else:
            seen[index] = column.label
    return errors
