"""The council's progress, actions and evidence as a CSV file Excel opens correctly."""

import csv
import io
from collections.abc import Iterable

from keepitlocal.models import Council
from principles.models import Action, Evidence, PrincipleProgress

HEADERS = [
    "Record",
    "Principle",
    "Title",
    "Stage",
    "RAG status",
    "Status",
    "Owner",
    "Due date",
    "Completed date",
    "Date",
    "Link",
    "File",
    "Summary or description",
    "Next steps",
    "Last reviewed",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """Text a spreadsheet shows as text: a cell that looks like a formula is prefixed with '."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _date(value) -> str:
    return value.isoformat() if value else ""


def _rows(council: Council) -> Iterable[list]:
    for p in (
        PrincipleProgress.objects.filter(council=council)
        .select_related("principle", "last_reviewed_by")
        .order_by("principle__number")
    ):
        yield [
            "Progress", p.principle.number, p.principle.title, p.get_stage_display(),
            p.get_rag_display(), "", "", "", "", "", "", "", p.narrative, p.next_steps,
            f"{_date(p.last_reviewed_on)} {p.last_reviewed_by or ''}".strip(),
        ]  # fmt: skip
    for a in (
        Action.objects.filter(council=council)
        .select_related("principle", "owner")
        .order_by("principle__number", "due_on", "pk")
    ):
        yield [
            "Action", a.principle.number, a.title, "", "", a.get_status_display(),
            a.owner_display, _date(a.due_on), _date(a.completed_on), "", "", "",
            a.description, "", "",
        ]  # fmt: skip
    for e in (
        Evidence.objects.filter(council=council)
        .select_related("principle")
        .order_by("principle__number", "pk")
    ):
        yield [
            "Evidence", e.principle.number, e.title, "", "", "", "", "", "",
            _date(e.dated_on), e.url, e.file_name, e.description, "", "",
        ]  # fmt: skip


def council_progress_csv(council: Council) -> bytes:
    """UTF-8 with a byte order mark, so Excel reads £ and accents correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in _rows(council):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")
