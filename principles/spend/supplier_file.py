"""Reading a CSV file of supplier classifications, to update the supplier register in bulk.

One row a supplier: its supplier ID or name, and any of its postcode, whether it is local,
SME and VCSE. Column names are recognised in the council's own words, and the register's
own export (``exports.HEADERS``) reads back unchanged. A blank cell leaves that value as it
is, and so does a value the register holds already (a supplier local from its postcode
stays so when its row says "Yes"). Like ``transparency``, this module knows nothing of the
database: it turns rows into
``SupplierRow`` or ``Problem`` and leaves matching them to the register to the service.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from principles.spend.postcodes import normalise_postcode
from principles.spend.transparency import (
    MAX_SUPPLIER_NAME,
    MAX_SUPPLIER_REF,
    FileRefused,
    FileShape,
    Problem,
    read_rows,
)

MAX_SUPPLIER_FILE_BYTES = 10_000_000
SUPPLIER_FILE_MIN_COLUMNS = 2
NO_SUPPLIER_COLUMN_NAMES = (
    "The file has no row of column names. One of its first 20 lines must name the "
    "columns, such as supplier ID, postcode and local"
)


class Say:
    """What a row says of a yes-or-no value; None in a row leaves the value as it is."""

    YES = "yes"
    NO = "no"
    NOT_KNOWN = "unknown"
    FROM_POSTCODE = "postcode"  # for "local" only


@dataclass(frozen=True, slots=True)
class SupplierRow:
    line: int
    ref: str
    name: str
    postcode: str | None
    local: str | None
    is_sme: str | None
    is_vcse: str | None


def _words(header: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", header.casefold()))


_SUPPLIER_WORDS = {"supplier", "beneficiary", "vendor", "payee", "creditor", "name"}
_ID_WORDS = {"id", "number", "no", "code", "ref", "reference", "urn"}


def _column_of(header: str) -> str | None:
    words = _words(header)
    if not words:
        return None
    if "postcode" in words or {"post", "code"} <= words:
        return "postcode"
    if "vat" in words:
        return None  # a VAT registration number is not the council's supplier ID
    if "local" in words and words & {"how", "decided"}:
        return "local_decided_by"  # the export's own column: read, and left alone
    if "local" in words:
        return "local"
    if "sme" in words or {"small", "medium"} <= words:
        return "is_sme"
    if "vcse" in words or "voluntary" in words:
        return "is_vcse"
    if words <= _ID_WORDS or (words & _SUPPLIER_WORDS and words & _ID_WORDS):
        return "ref"
    if words & _SUPPLIER_WORDS:
        return "name"
    return None


def supplier_file_columns(headers: tuple[str, ...]) -> dict[str, int]:
    """Which column holds what, from the column names. Raises FileRefused when the file has
    no column naming the supplier, or none to update."""
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = _column_of(header)
        if key is not None and key not in columns:
            columns[key] = index
    if "ref" not in columns and "name" not in columns:
        raise FileRefused(
            "The file must have a column of supplier IDs or of supplier names, such as "
            "“Supplier ID” or “Supplier”"
        )
    if not columns.keys() & {"postcode", "local", "is_sme", "is_vcse"}:
        raise FileRefused(
            "The file must have at least one column to update: “Postcode”, “Local”, “SME” or “VCSE”"
        )
    return columns


_YES = {"yes", "y", "true", "1", "local"}
_NO = {"no", "n", "false", "0", "not local"}
_NOT_KNOWN = {"not known", "unknown", "not known yet", "don't know", "dont know", "?"}
_FROM_POSTCODE = {"postcode", "from postcode", "from its postcode", "decide from its postcode"}


def _said(text: str, *, what: str, postcode_allowed: bool = False) -> str | None:
    value = " ".join(text.casefold().replace("’", "'").split()).rstrip(".")
    if not value:
        return None
    if value in _YES:
        return Say.YES
    if value in _NO:
        return Say.NO
    if value in _NOT_KNOWN:
        return Say.NOT_KNOWN
    if postcode_allowed and value in _FROM_POSTCODE:
        return Say.FROM_POSTCODE
    shown = f"{text.strip()[:40]}…" if len(text.strip()) > 40 else text.strip()
    choices = "yes, no, not known or postcode" if postcode_allowed else "yes, no or not known"
    raise ValueError(f"{what} says “{shown}”: write {choices}")


def _unescaped(text: str) -> str:
    """A cell as the register's export wrote it, without the ' that stops a formula."""
    text = " ".join(text.split())
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


def read_supplier_rows(binary, shape: FileShape, columns: dict[str, int]) -> Iterator:
    """Every row below the column names, as a SupplierRow or a Problem."""

    def cell(row: list[str], key: str) -> str:
        index = columns.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    for item in read_rows(
        binary, encoding=shape.encoding, delimiter=shape.delimiter, header_row=shape.header_row
    ):
        if type(item) is Problem:
            yield item
            continue
        line, row = item
        reasons = []
        ref, name = _unescaped(cell(row, "ref")), _unescaped(cell(row, "name"))
        if not ref and not name:
            reasons.append("the supplier's ID and name are both missing")
        elif len(ref) > MAX_SUPPLIER_REF:
            reasons.append(f"the supplier ID is longer than {MAX_SUPPLIER_REF} characters")
        elif len(name) > MAX_SUPPLIER_NAME:
            reasons.append(f"the supplier's name is longer than {MAX_SUPPLIER_NAME} characters")
        postcode = None
        if text := cell(row, "postcode"):
            postcode = normalise_postcode(text)
            if postcode is None:
                shown = f"{text[:20]}…" if len(text) > 20 else text
                reasons.append(f"the postcode “{shown}” is not a postcode, like BN7 1UE")
        said = {}
        for key, what in (("local", "local"), ("is_sme", "SME"), ("is_vcse", "VCSE")):
            try:
                said[key] = _said(
                    cell(row, key), what=f"the {what} column", postcode_allowed=key == "local"
                )
            except ValueError as reason:
                reasons.append(str(reason))
        if reasons:
            yield Problem(line, "; ".join(reasons))
            continue
        yield SupplierRow(
            line=line,
            ref=ref,
            name=name,
            postcode=postcode,
            local=said["local"],
            is_sme=said["is_sme"],
            is_vcse=said["is_vcse"],
        )
