"""Spend files for tests, imported through the same services as the pages use."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from principles.spend.services import (
    local_spend_file_upload,
    local_spend_import_map_columns,
    local_spend_import_transparency_file,
)

AWKWARD = Path(__file__).parent / "data" / "awkward-spend-2022-23.csv"
AWKWARD_MAPPING = {"paid_on": 3, "supplier_name": 6, "supplier_ref": 7, "amount": 5}
SIMPLE_MAPPING = {"paid_on": 0, "supplier_name": 1, "amount": 2}


def spend_file(rows: list[str], header: str = "Date,Supplier,Amount") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def import_spend_file(council, by, content: bytes | None = None, mapping: dict | None = None):
    """Upload, map and import a file; returns the ImportResult."""
    content = AWKWARD.read_bytes() if content is None else content
    mapping = AWKWARD_MAPPING if mapping is None else mapping
    spend_import = local_spend_file_upload(
        council=council, by=by, upload=SimpleUploadedFile("spend.csv", content)
    )
    local_spend_import_map_columns(spend_import=spend_import, by=by, mapping=mapping)
    return local_spend_import_transparency_file(spend_import=spend_import, by=by)
