"""Every change to a council's records gives the council a new records version (ADR 0006).

One receiver for the service's own apps, rather than a call in every service,
so that changes made in the admin, by commands or by features added later
(the endorsement, local spend, practice assessments) also reach the dashboards.
"""

from django.db.models.signals import post_delete, post_save

from champions.freshness import records_changed
from champions.models import RecordsVersion
from keepitlocal.models import Council, Membership, RecordChange, User
from principles.assessments.models import Assessment
from principles.models import Principle

WATCHED_APPS = {"keepitlocal", "principles", "champions", "endorsements"}


def _has_council(model) -> bool:
    return any(field.name == "council" for field in model._meta.concrete_fields)


def _councils_of(instance) -> set[int]:
    model = type(instance)
    if model is Council:
        # Whether a council shares, and whether it is a member at all, changes what every
        # other council's dashboard may show of it (the network medians).
        return {instance.pk, RecordsVersion.NETWORK_WIDE}
    if model is Assessment:
        # An approved assessment of a council that shares is in every dashboard's medians.
        return {instance.council_id, RecordsVersion.NETWORK_WIDE}
    if model is Principle:
        return {RecordsVersion.NETWORK_WIDE}
    if model is User:
        return set(Membership.objects.filter(user=instance).values_list("council_id", flat=True))
    if _has_council(model):
        return {instance.council_id} if instance.council_id else set()
    # One step away, such as an endorsement's signatory or a conversation's outcome.
    councils = set()
    for field in model._meta.concrete_fields:
        if (field.many_to_one or field.one_to_one) and _has_council(field.related_model):
            value = getattr(instance, field.attname)
            if value is not None:
                councils.update(
                    field.related_model._base_manager.filter(pk=value).values_list(
                        "council_id", flat=True
                    )
                )
    return councils


def _watched(sender) -> bool:
    return (
        sender._meta.app_label in WATCHED_APPS
        and sender is not RecordsVersion
        # A record of a change is written with the change, which is watched.
        and sender is not RecordChange
    )


def record_saved(sender, instance, update_fields=None, **kwargs) -> None:
    if not _watched(sender):
        return
    if sender is User and update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # signing in changes nothing a dashboard shows
    records_changed(_councils_of(instance))


def record_deleted(sender, instance, **kwargs) -> None:
    if _watched(sender):
        records_changed(_councils_of(instance))


def connect() -> None:
    post_save.connect(record_saved, dispatch_uid="champions.records_saved")
    post_delete.connect(record_deleted, dispatch_uid="champions.records_deleted")
