"""The supplier register as a CSV file Excel opens correctly."""

import csv
import io

from keepitlocal.models import Council
from principles.exports import spreadsheet_safe
from principles.spend.selectors import supplier_register

HEADERS = [
    "Supplier",
    "Supplier ID",
    "Postcode",
    "Local",
    "How local was decided",
    "SME",
    "VCSE",
    "Payments",
    "Total paid (£)",
]
_YES_NO = {True: "Yes", False: "No", None: "Not known"}


def supplier_register_csv(council: Council) -> bytes:
    """UTF-8 with a byte order mark. Names come from councils' files, so every text cell is
    made spreadsheet-safe; the figures are numbers this service formats itself."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for supplier in supplier_register(council).iterator(chunk_size=2000):
        writer.writerow(
            [
                spreadsheet_safe(supplier.name),
                spreadsheet_safe(supplier.supplier_ref),
                spreadsheet_safe(supplier.postcode),
                _YES_NO[supplier.is_local],
                supplier.get_local_decided_by_display(),
                _YES_NO[supplier.is_sme],
                _YES_NO[supplier.is_vcse],
                supplier.payment_count,
                f"{supplier.total_spend:.2f}" if supplier.total_spend is not None else "",
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")
