"""Writes for principle progress, actions and evidence.

Each service checks permission, refuses an edit made from an out-of-date copy
(no lost updates), validates and saves in one transaction. The history row that
django-simple-history writes names the person who made the change.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from keepitlocal.models import Council, User
from principles.models import Action, Evidence, Principle, PrincipleProgress

PROGRESS_FIELDS = ("stage", "rag", "narrative", "next_steps")
ACTION_FIELDS = (
    "title",
    "description",
    "owner",
    "owner_name",
    "due_on",
    "status",
    "completed_on",
)


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


class EditConflict(Exception):
    """Someone else saved the record after this person started editing it."""

    def __init__(self, *, changed_by: str, changes: list[FieldChange]):
        self.changed_by = changed_by
        self.changes = changes
        super().__init__(f"{changed_by} changed this while you were editing it.")


def _require(by: User, permission: str, council: Council) -> None:
    if not by.has_perm(permission, council):
        raise PermissionDenied("Your role in this council does not allow you to change this.")


def _display(instance, field: str) -> str:
    value = getattr(instance, field)
    if value in (None, ""):
        return "blank"
    display = getattr(instance, f"get_{field}_display", None)
    if display is not None:
        return str(display())
    if isinstance(value, datetime.date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def _conflict(instance, base_version: int, fields: tuple[str, ...]) -> EditConflict:
    """What changed between the version the person started from and the one saved now."""
    base = instance.history.filter(version=base_version).order_by("-history_id").first()
    latest = instance.history.select_related("history_user").order_by("-history_id").first()
    changes = []
    for field in fields:
        old = _display(base.instance, field) if base is not None else "blank"
        new = _display(instance, field)
        if old != new:
            label = instance._meta.get_field(field).verbose_name
            changes.append(FieldChange(label.capitalize(), old, new))
    who = str(latest.history_user) if latest and latest.history_user else "Someone else"
    return EditConflict(changed_by=who, changes=changes)


@transaction.atomic
def principle_progress_update(
    *,
    council: Council,
    principle: Principle,
    by: User,
    base_version: int,
    stage: str,
    rag: str,
    narrative: str,
    next_steps: str,
) -> PrincipleProgress:
    """Save a council's progress on a principle, recording today as its last review by ``by``.

    ``base_version`` is the version the person started editing (0 when there was
    no progress yet); if someone saved since, ``EditConflict`` says what they changed.
    """
    _require(by, "principles.change_progress", council)
    progress = (
        PrincipleProgress.objects.select_for_update()
        .filter(council=council, principle=principle)
        .first()
    )
    current_version = progress.version if progress else 0
    if current_version != base_version:
        if progress is None:  # removed since; nothing of theirs to show
            raise EditConflict(changed_by="Someone else", changes=[])
        raise _conflict(progress, base_version, PROGRESS_FIELDS)
    if progress is None:
        progress = PrincipleProgress(council=council, principle=principle, version=0)
    progress.stage = stage
    progress.rag = rag
    progress.narrative = narrative.strip()
    progress.next_steps = next_steps.strip()
    progress.last_reviewed_on = timezone.localdate()
    progress.last_reviewed_by = by
    progress.version += 1
    # The one-per-principle rule is the database's to enforce: two first saves at once both
    # pass a check made here, and only one row can be written.
    progress.full_clean(validate_constraints=False)
    progress._history_user = by
    if progress.pk is not None:
        progress.save()
        return progress
    try:
        with transaction.atomic():  # a savepoint, so the refused insert leaves nothing behind
            progress.save()
    except IntegrityError:
        # Someone else saved the first progress on this principle a moment before.
        saved = PrincipleProgress.objects.get(council=council, principle=principle)
        raise _conflict(saved, base_version, PROGRESS_FIELDS) from None
    return progress


def _completed_on(status: str, completed_on: datetime.date | None) -> datetime.date | None:
    if status != Action.Status.DONE:
        return None
    return completed_on or timezone.localdate()


def _check_owner(council: Council, owner: User | None) -> None:
    if owner is not None and not owner.memberships.filter(council=council).exists():
        raise PermissionDenied("An action's owner must be a person of this council.")


@transaction.atomic
def action_create(
    *,
    council: Council,
    principle: Principle,
    by: User,
    title: str,
    description: str = "",
    owner: User | None = None,
    owner_name: str = "",
    due_on: datetime.date | None = None,
    status: str = Action.Status.NOT_STARTED,
    completed_on: datetime.date | None = None,
) -> Action:
    """Add an action to a council's work on a principle."""
    _require(by, "principles.change_progress", council)
    _check_owner(council, owner)
    action = Action(
        council=council,
        principle=principle,
        title=title.strip(),
        description=description.strip(),
        owner=owner,
        owner_name=owner_name.strip(),
        due_on=due_on,
        status=status,
        completed_on=_completed_on(status, completed_on),
    )
    action.full_clean()
    action._history_user = by
    action.save()
    return action


@transaction.atomic
def action_update(
    *,
    action: Action,
    by: User,
    base_version: int,
    title: str,
    description: str,
    owner: User | None,
    owner_name: str,
    due_on: datetime.date | None,
    status: str,
    completed_on: datetime.date | None,
) -> Action:
    """Change an action, refusing an edit made from an out-of-date copy (``EditConflict``)."""
    _require(by, "principles.change_progress", action.council)
    _check_owner(action.council, owner)
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.version != base_version:
        raise _conflict(action, base_version, ACTION_FIELDS)
    action.title = title.strip()
    action.description = description.strip()
    action.owner = owner
    action.owner_name = owner_name.strip()
    action.due_on = due_on
    action.status = status
    action.completed_on = _completed_on(status, completed_on)
    action.version += 1
    action.full_clean()
    action._history_user = by
    action.save()
    return action


@transaction.atomic
def evidence_add(
    *,
    council: Council,
    principle: Principle,
    by: User,
    title: str,
    description: str = "",
    dated_on: datetime.date | None = None,
    url: str = "",
    upload: UploadedFile | None = None,
    file_type: str = "",
) -> Evidence:
    """Add evidence: a link, a file already checked by content (``file_type``), or both.

    The file is written through Django's storage API; if the database save
    fails the stored file is removed again, so nothing is half-saved.
    """
    _require(by, "principles.change_progress", council)
    evidence = Evidence(
        council=council,
        principle=principle,
        title=title.strip(),
        description=description.strip(),
        dated_on=dated_on,
        url=url.strip(),
        created_by=by,
    )
    if upload is not None:
        evidence.file_type = file_type
        evidence.file_size = upload.size
    evidence.full_clean(exclude=["file"])
    if upload is None and not evidence.url:
        raise ValueError("Evidence needs a link or a file.")
    evidence._history_user = by
    if upload is not None:
        evidence.file.save(upload.name, upload, save=False)
        try:
            evidence.save()
        except Exception:
            evidence.file.delete(save=False)
            raise
    else:
        evidence.save()
    return evidence
