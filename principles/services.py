"""Writes for principle progress, actions and evidence.

Each service runs inside the writes contract (``keepitlocal.writes.council_write``): the
permission is checked first, the change and its history are one transaction, and an edit
made from an older version is merged field by field with what was saved since (ADR 0012).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from keepitlocal.models import Council, User
from keepitlocal.writes import (
    EditConflict,
    FieldConflict,
    changed_by_since,
    council_write,
    values_at,
)
from principles.models import Action, Evidence, Principle, PrincipleProgress

__all__ = [
    "ACTION_FIELDS",
    "EVIDENCE_FIELDS",
    "PROGRESS_FIELDS",
    "EditConflict",
    "action_create",
    "action_remove",
    "action_update",
    "evidence_add",
    "evidence_remove",
    "evidence_update",
    "principle_progress_update",
]

CHANGE = "principles.change_progress"
DENIED = "Your role in this council does not allow you to change progress."
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
EVIDENCE_FIELDS = ("title", "description", "dated_on", "url")


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

    ``base_version`` is the version the person started editing (0 when there was no progress
    yet). Changes others saved since are kept (``progress.merged`` says which); a field both
    changed differently raises ``EditConflict``.
    """
    submitted = {
        "stage": stage,
        "rag": rag,
        "narrative": narrative.strip(),
        "next_steps": next_steps.strip(),
    }
    with council_write(by=by, council=council, permission=CHANGE, denied=DENIED) as write:
        progress = (
            PrincipleProgress.objects.select_for_update()
            .filter(council=council, principle=principle)
            .first()
        )
        if progress is None:
            return _first_progress(write, council, principle, by, base_version, submitted)
        write.track(progress)
        write.merge(progress, base_version=base_version, submitted=submitted)
        _reviewed(progress, by)
        progress.full_clean()
        progress.save()
        write.changed(progress)
        progress.merged = write.merged
        return progress


def _reviewed(progress: PrincipleProgress, by: User) -> None:
    progress.last_reviewed_on = timezone.localdate()
    progress.last_reviewed_by = by


def _first_progress(write, council, principle, by, base_version, submitted) -> PrincipleProgress:
    progress = PrincipleProgress(council=council, principle=principle, version=0)
    write.merge(progress, base_version=0, submitted=submitted)
    _reviewed(progress, by)
    # The one-per-principle rule is the database's to enforce: two first saves at once both
    # pass a check made here, and only one row can be written.
    progress.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():  # a savepoint, so the refused insert leaves nothing behind
            progress.save()
    except IntegrityError:
        # Someone else saved the first progress on this principle a moment before: merge with
        # theirs as with any later save.
        saved = PrincipleProgress.objects.select_for_update().get(
            council=council, principle=principle
        )
        write.track(saved)
        write.merge(saved, base_version=base_version, submitted=submitted)
        _reviewed(saved, by)
        saved.full_clean()
        saved.save()
        write.changed(saved)
        saved.merged = write.merged
        return saved
    write.added(progress)
    progress.merged = write.merged
    return progress


def _completed_on(status: str, completed_on: datetime.date | None) -> datetime.date | None:
    if status != Action.Status.DONE:
        return None
    return completed_on or timezone.localdate()


def _check_owner(council: Council, owner: User | None) -> None:
    if owner is not None and not owner.memberships.filter(council=council).exists():
        raise PermissionDenied("An action's owner must be a person of this council.")


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
    submission=None,
) -> Action:
    """Add an action to a council's work on a principle.

    ``submission`` is the add form's one-time token: the same form sent twice adds one action
    (the second raises ``AlreadySubmitted``).
    """
    with council_write(
        by=by, council=council, permission=CHANGE, denied=DENIED, submission=submission
    ) as write:
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
        action.save()
        write.added(action)
        return action


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
    """Change an action, merged with changes others saved since ``base_version``
    (``action.merged``); a field both changed differently raises ``EditConflict``."""
    council = action.council
    with council_write(by=by, council=council, permission=CHANGE, denied=DENIED) as write:
        _check_owner(council, owner)
        action = Action.objects.select_for_update().get(pk=action.pk, council=council)
        write.track(action)
        write.merge(
            action,
            base_version=base_version,
            submitted={
                "title": title.strip(),
                "description": description.strip(),
                "owner": owner,
                "owner_name": owner_name.strip(),
                "due_on": due_on,
                "status": status,
                "completed_on": _completed_on(status, completed_on),
            },
        )
        # A merge may take the status from one person and the completed date from another.
        action.completed_on = _completed_on(action.status, action.completed_on)
        if action.owner_id and action.owner_name:
            action.owner_name = ""
        action.full_clean()
        action.save()
        write.changed(action)
        action.merged = write.merged
        return action


def action_remove(*, action: Action, by: User, reason: str = "") -> None:
    """Remove an action that should not have been added; its history (and why) stays."""
    council = action.council
    with council_write(by=by, council=council, permission=CHANGE, denied=DENIED) as write:
        action = Action.objects.select_for_update().filter(pk=action.pk, council=council).first()
        if action is None:
            return  # removed a moment ago by someone else: the outcome they wanted
        write.removed(action, reason=reason)
        action.delete()


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
    submission=None,
) -> Evidence:
    """Add evidence: a link, a file already checked by content (``file_type``), or both.

    The file is written through Django's storage API; if the database save fails the stored
    file is removed again, so nothing is half-saved.
    """
    with council_write(
        by=by, council=council, permission=CHANGE, denied=DENIED, submission=submission
    ) as write:
        evidence = Evidence(
            council=council,
            principle=principle,
            title=title.strip(),
            description=description.strip(),
            dated_on=dated_on,
            url=url.strip(),
            created_by=by,
        )
        _store(evidence, upload, file_type, write)
        return evidence


def _store(evidence: Evidence, upload, file_type: str, write, *, added: bool = True) -> None:
    """Save ``evidence`` with its new file, if any; a file written for a save that fails is
    removed again."""
    if upload is not None:
        evidence.file_type = file_type
        evidence.file_size = upload.size
    evidence.full_clean(exclude=["file"])
    if upload is None and not evidence.url and not evidence.file:
        raise ValidationError({"url": "Enter a link or upload a file"})
    if upload is None:
        evidence.save()
    else:
        evidence.file.save(upload.name, upload, save=False)
        try:
            with transaction.atomic():
                evidence.save()
                if added:
                    write.added(evidence)
                else:
                    write.changed(evidence)
        except Exception:
            evidence.file.delete(save=False)
            raise
        return
    if added:
        write.added(evidence)
    else:
        write.changed(evidence)


def evidence_update(
    *,
    evidence: Evidence,
    by: User,
    base_version: int,
    title: str,
    description: str,
    dated_on: datetime.date | None,
    url: str,
    upload: UploadedFile | None = None,
    file_type: str = "",
    remove_file: bool = False,
) -> Evidence:
    """Correct evidence: its title, description, date and link, a new file in place of the old
    one, or the file taken away (a link must then remain). Merged like every versioned edit.

    The replaced file stays in storage: the history names it, and a wrong upload is put right
    by a new one, not by losing what was there.
    """
    council = evidence.council
    with council_write(by=by, council=council, permission=CHANGE, denied=DENIED) as write:
        evidence = Evidence.objects.select_for_update().get(pk=evidence.pk, council=council)
        write.track(evidence)
        if (upload is not None or remove_file) and evidence.version != base_version:
            _refuse_a_file_change_over_anothers(evidence, base_version, upload)
        write.merge(
            evidence,
            base_version=base_version,
            submitted={
                "title": title.strip(),
                "description": description.strip(),
                "dated_on": dated_on,
                "url": url.strip(),
            },
        )
        if remove_file and upload is None:
            evidence.file = ""
            evidence.file_type = ""
            evidence.file_size = None
        _store(evidence, upload, file_type, write, added=False)
        evidence.merged = write.merged
        return evidence


def _refuse_a_file_change_over_anothers(evidence: Evidence, base_version: int, upload) -> None:
    """A file replaced or taken away from an older version must not undo a colleague's
    replacement unseen: that is a conflict on the file."""
    before = values_at(evidence, base_version, ("file",))
    if before is not None and before.get("file", "") == (evidence.file.name or ""):
        return  # nobody has changed the file since this person opened the page
    raise EditConflict(
        changed_by=changed_by_since(evidence, base_version),
        conflicts=[
            FieldConflict(
                field="file",
                label="File",
                theirs=evidence.file_name or "no file",
                yours=upload.name if upload is not None else "no file",
            )
        ],
        rebased={
            "title": evidence.title,
            "description": evidence.description,
            "dated_on": evidence.dated_on,
            "url": evidence.url,
        },
        version=evidence.version,
    )


def evidence_remove(*, evidence: Evidence, by: User, reason: str = "") -> None:
    """Remove evidence added by mistake; its history (and why) stays, as does its file."""
    council = evidence.council
    with council_write(by=by, council=council, permission=CHANGE, denied=DENIED) as write:
        evidence = (
            Evidence.objects.select_for_update().filter(pk=evidence.pk, council=council).first()
        )
        if evidence is None:
            return
        if evidence.answers.filter(assessment__status="approved").exists():
            raise ValidationError(
                "This evidence supports an approved practice assessment, so it stays. "
                "Add newer evidence beside it instead."
            )
        write.removed(evidence, reason=reason)
        evidence.delete()
