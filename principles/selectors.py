"""Reads for the principles, each page in a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import Lag
from django.shortcuts import get_object_or_404

from keepitlocal.models import Council, User
from principles.models import Action, Evidence, Principle, PrincipleProgress, Rag, Stage


def principle_list() -> QuerySet[Principle]:
    return Principle.objects.order_by("number")


def principle_by_number(number: int) -> Principle:
    return get_object_or_404(Principle, number=number)


@dataclass(frozen=True)
class PrincipleRow:
    principle: Principle
    progress: PrincipleProgress | None
    open_actions: int
    overdue_actions: int

    @property
    def stage_label(self) -> str:
        return self.progress.get_stage_display() if self.progress else Stage.NOT_STARTED.label

    @property
    def rag(self) -> str:
        return self.progress.rag if self.progress else ""

    @property
    def rag_label(self) -> str:
        return self.progress.get_rag_display() if self.progress else Rag.NOT_SET.label


def principle_grid(council: Council, today: datetime.date) -> list[PrincipleRow]:
    """The six principles with the council's stage, RAG and open and overdue actions."""
    progress = {p.principle_id: p for p in PrincipleProgress.objects.filter(council=council)}
    not_done = ~Q(status=Action.Status.DONE)
    counts = {
        row["principle_id"]: row
        for row in Action.objects.filter(council=council)
        .values("principle_id")
        .annotate(
            open=Count("pk", filter=not_done),
            overdue=Count("pk", filter=not_done & Q(due_on__lt=today)),
        )
    }
    return [
        PrincipleRow(
            principle=principle,
            progress=progress.get(principle.pk),
            open_actions=counts.get(principle.pk, {}).get("open", 0),
            overdue_actions=counts.get(principle.pk, {}).get("overdue", 0),
        )
        for principle in principle_list()
    ]


def principle_progress(council: Council, principle: Principle) -> PrincipleProgress | None:
    return (
        PrincipleProgress.objects.filter(council=council, principle=principle)
        .select_related("last_reviewed_by")
        .first()
    )


def principle_actions(council: Council, principle: Principle) -> QuerySet[Action]:
    return Action.objects.filter(council=council, principle=principle).select_related("owner")


def principle_evidence(council: Council, principle: Principle) -> QuerySet[Evidence]:
    return Evidence.objects.filter(council=council, principle=principle)


def council_action(council: Council, number: int, pk: int) -> Action:
    """One action of the current council; another council's is a 404."""
    return get_object_or_404(
        Action.objects.select_related("principle", "council"),
        council=council,
        principle__number=number,
        pk=pk,
    )


def council_evidence(council: Council, number: int, pk: int) -> Evidence:
    return get_object_or_404(Evidence, council=council, principle__number=number, pk=pk)


def council_people(council: Council) -> QuerySet[User]:
    return User.objects.filter(memberships__council=council, is_active=True).order_by(
        "first_name", "last_name", "username"
    )


# --- History ---------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime.datetime
    who: str
    sentences: list[str]


_LABELS = {
    "stage": "Stage",
    "rag": "RAG status",
    "narrative": "Summary",
    "next_steps": "Next steps",
    "title": "Title",
    "description": "Description",
    "owner_id": "Owner",
    "owner_name": "Partner owner",
    "due_on": "Due date",
    "status": "Status",
    "completed_on": "Completed date",
    "dated_on": "Date",
    "url": "Link",
    "file": "File",
}
_LONG_TEXT = {"narrative", "next_steps", "description"}
_TRACKED = {
    PrincipleProgress: ("stage", "rag", "narrative", "next_steps"),
    Action: (
        "title",
        "description",
        "owner_id",
        "owner_name",
        "due_on",
        "status",
        "completed_on",
    ),
    Evidence: ("title", "description", "dated_on", "url", "file"),
}
_CHOICES = {
    "stage": dict(Stage.choices),
    "rag": dict(Rag.choices),
    "status": dict(Action.Status.choices),
}


def _value(field: str, value, people: dict[int, str]) -> str:
    if value in (None, ""):
        return "blank"
    if field in _CHOICES:
        return str(_CHOICES[field].get(value, value)).lower()
    if field == "owner_id":
        return people.get(value, "a former member")
    if isinstance(value, datetime.date):
        return f"{value.day} {value:%B %Y}"
    if field == "file":
        return str(value).rsplit("/", 1)[-1]
    return str(value)


def _history_rows(model, council: Council, principle: Principle, limit: int) -> list:
    fields = _TRACKED[model]
    previous = {
        f"prev_{field}": Window(Lag(field), partition_by=[F("id")], order_by=F("history_id").asc())
        for field in fields
    }
    return list(
        model.history.filter(council=council, principle=principle)
        .annotate(**previous)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )


def _sentences(model, row, people: dict[int, str]) -> list[str]:
    if model is PrincipleProgress:
        subject = "Progress"
    else:
        kind = "Action" if model is Action else "Evidence"
        subject = f"{kind} “{row.title}”"
    if row.history_type == "+":
        if model is PrincipleProgress:
            return [f"Progress first recorded at stage {_value('stage', row.stage, people)}"]
        return [f"{subject} added"]
    if row.history_type == "-":
        return [f"{subject} removed"]
    sentences = []
    for field in _TRACKED[model]:
        old, new = getattr(row, f"prev_{field}"), getattr(row, field)
        if old == new or (old in (None, "") and new in (None, "")):
            continue
        label = _LABELS[field]
        if model is not PrincipleProgress:
            label = f"{subject}: {label.lower()}"
        if field in _LONG_TEXT:
            sentences.append(f"{label} updated")
        else:
            sentences.append(
                f"{label} changed from {_value(field, old, people)} to {_value(field, new, people)}"
            )
    return sentences


def principle_history(
    council: Council, principle: Principle, limit: int = 30
) -> list[HistoryEntry]:
    """The latest changes to the council's progress, actions and evidence on a principle.

    Each history row is compared with the one before it for the same record
    with a window function, so the page needs one query per kind of record
    however long the history is.
    """
    rows = [
        (model, row)
        for model in (PrincipleProgress, Action, Evidence)
        for row in _history_rows(model, council, principle, limit)
    ]
    owner_ids = {
        value
        for model, row in rows
        if model is Action
        for value in (row.owner_id, row.prev_owner_id)
        if value
    }
    people = (
        {user.pk: str(user) for user in User.objects.filter(pk__in=owner_ids)} if owner_ids else {}
    )
    rows.sort(key=lambda pair: (pair[1].history_date, pair[1].history_id), reverse=True)
    entries = []
    for model, row in rows[:limit]:
        sentences = _sentences(model, row, people)
        if sentences:
            who = str(row.history_user) if row.history_user else "Someone"
            entries.append(HistoryEntry(when=row.history_date, who=who, sentences=sentences))
    return entries
