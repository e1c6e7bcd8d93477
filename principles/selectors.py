"""Reads for the principles."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from principles.models import Principle


def principle_list() -> QuerySet[Principle]:
    return Principle.objects.order_by("number")


def principle_by_number(number: int) -> Principle:
    return get_object_or_404(Principle, number=number)
