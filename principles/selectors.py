"""Reads for the principles, each page in a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
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
