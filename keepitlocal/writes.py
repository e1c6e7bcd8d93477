"""One contract for every write: check the permission, make the change, record it (ADR 0012).

Every service of every app does its work inside ``council_write``::

    with council_write(by=by, council=council, permission=CHANGE, denied="…") as write:
        action = Action.objects.select_for_update().get(pk=action.pk)
        write.merge(action, base_version=base_version, submitted={"title": title, ...})
        action.save()
        write.changed(action)

The permission is checked before anything is read or written; the change and its history
are one transaction, so a page, the admin, a command or a task all leave the same record.
``merge`` applies an edit made from an older version field by field against what was saved
since (a three-way merge), so a colleague's change is never undone unseen.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction

from keepitlocal import history
from keepitlocal.models import Council, RecordChange, User


@dataclass(frozen=True)
class FieldConflict:
    """A field both people changed, to different values."""

    field: str
    label: str
    theirs: str
    yours: str
    before: str | None = None  # what it was when this person started, when known


@dataclass(frozen=True)
class Merged:
    """Fields of an edit taken from what others saved since the person started."""

    changed_by: str
    labels: list[str]

    @property
    def message(self) -> str:
        fields = ", ".join(label.lower() for label in self.labels)
        return (
            f"{self.changed_by} also changed this while you were editing it. "
            f"Their change to the {fields} is kept with yours."
        )


class EditConflict(Exception):
    """Someone else saved a different value in a field this person changed too.

    ``conflicts`` names each such field with both values; ``rebased`` holds the values the
    form should show again: the saved record, with this person's own changes on top;
    ``version`` is the version now saved, to start the next attempt from.
    """

    def __init__(
        self,
        *,
        changed_by: str,
        conflicts: list[FieldConflict] | None = None,
        rebased: dict | None = None,
        version: int = 0,
    ):
        self.changed_by = changed_by
        self.conflicts = conflicts or []
        self.rebased = rebased or {}
        self.version = version
        super().__init__(f"{changed_by} changed this while you were editing it.")


class AlreadySubmitted(Exception):
    """This add form was sent before (a double click or a resent page): nothing more is added.

    ``record_type`` and ``record_id`` name what the first sending made."""

    def __init__(self, *, record_type: str = "", record_id: int | None = None):
        self.record_type = record_type
        self.record_id = record_id
        super().__init__("This form was already sent, so nothing more was added.")


def actor_name(user: User | None) -> str:
    if user is None:
        return "Keep it Local"
    return user.get_full_name() or user.get_username()


@dataclass
class Write:
    """The change being made: what it touched, and what it merged in from others."""

    by: User | None
    council: Council | None
    submission: uuid.UUID | None = None
    merged: list[Merged] = field(default_factory=list)
    _before: dict[int, history.Snapshot] = field(default_factory=dict)
    _records: list[RecordChange] = field(default_factory=list)

    # Recording ----------------------------------------------------------------

    def track(self, instance: models.Model, *, as_saved: models.Model | None = None) -> None:
        """Remember ``instance`` as it is before the change (call before changing it), or as
        ``as_saved`` (a fresh copy of the saved row) when ``instance`` already holds changes."""
        self._before[id(instance)] = history.snapshot(as_saved or instance)

    def forget(self, instance: models.Model) -> None:
        """Drop what ``track`` remembered of ``instance``: it was left unchanged."""
        self._before.pop(id(instance), None)

    def added(self, instance: models.Model, *, reason: str = "") -> RecordChange:
        """Record that ``instance`` (saved) was added, with its first values."""
        after = history.snapshot(instance)
        empty = history.Snapshot(raw={}, shown={})
        return self._record(
            instance,
            RecordChange.Kind.ADDED,
            after.raw,
            history.differences(type(instance), empty, after),
            reason,
        )

    def changed(self, instance: models.Model, *, reason: str = "") -> RecordChange | None:
        """Record what changed in ``instance`` since ``track``; nothing if nothing did."""
        before = self._before.pop(id(instance), None)
        if before is None:
            raise RuntimeError("Call write.track(instance) before changing it.")
        after = history.snapshot(instance)
        changes = history.differences(type(instance), before, after)
        if not changes:
            return None
        return self._record(instance, RecordChange.Kind.CHANGED, after.raw, changes, reason)

    def added_all(self, instances: list, *, reason: str = "") -> list[RecordChange]:
        """``added`` for many records made together (in bulk), recorded in one insert."""
        empty = history.Snapshot(raw={}, shown={})
        records = []
        for instance in instances:
            after = history.snapshot(instance)
            records.append(
                change_record(
                    instance,
                    kind=RecordChange.Kind.ADDED,
                    by=self.by,
                    council=self.council,
                    values=after.raw,
                    changes=history.differences(type(instance), empty, after),
                    reason=reason,
                )
            )
        created = RecordChange.objects.bulk_create(records, batch_size=500)
        self._records.extend(created)
        return created

    def changed_all(self, instances: list, *, reason: str = "") -> list[RecordChange]:
        """``changed`` for many records saved together (in bulk), recorded in one insert."""
        records = []
        for instance in instances:
            before = self._before.pop(id(instance), None)
            if before is None:
                raise RuntimeError("Call write.track(instance) before changing it.")
            after = history.snapshot(instance)
            changes = history.differences(type(instance), before, after)
            if changes:
                records.append(
                    change_record(
                        instance,
                        kind=RecordChange.Kind.CHANGED,
                        by=self.by,
                        council=self.council,
                        values=after.raw,
                        changes=changes,
                        reason=reason,
                    )
                )
        created = RecordChange.objects.bulk_create(records, batch_size=500)
        self._records.extend(created)
        return created

    def removed(self, instance: models.Model, *, reason: str = "") -> RecordChange:
        """Record that ``instance`` is being removed (call before deleting it)."""
        before = history.snapshot(instance)
        return self._record(instance, RecordChange.Kind.REMOVED, before.raw, [], reason)

    def _record(self, instance, kind, values, changes, reason) -> RecordChange:
        submission, self.submission = self.submission, None  # the first record carries it
        change = change_record(
            instance,
            kind=kind,
            by=self.by,
            council=self.council,
            values=values,
            changes=changes,
            reason=reason,
        )
        change.submission = submission
        if submission is None:
            change.save()
        else:
            try:
                with transaction.atomic():
                    change.save()
            except IntegrityError:
                raise _already_submitted(submission) from None
        self._records.append(change)
        return change

    # Merging ------------------------------------------------------------------

    def merge(self, instance: models.Model, *, base_version: int, submitted: dict) -> dict:
        """Set ``submitted`` on ``instance`` (read under a row lock), merged with what others
        saved since ``base_version``.

        Fields only the others changed keep their value; fields only this person changed take
        theirs; a field both changed to different values is a conflict (``EditConflict``,
        nothing set). The version moves on by one; what was merged in is in ``self.merged``.
        Returns the submitted values taken; many-to-many ones are for the caller to ``set``
        once the record is saved.
        """
        model = type(instance)
        current_version = getattr(instance, "version", 0) if instance.pk else 0
        if instance.pk is None or current_version == base_version:
            _apply(instance, submitted)
            instance.version = current_version + 1
            return dict(submitted)
        base = values_at(instance, base_version, tuple(submitted))
        current = history.snapshot(instance, tuple(submitted))
        conflicts, taken, rebased, from_others = [], {}, {}, []
        for name, value in submitted.items():
            field_ = model._meta.get_field(name)
            mine, saved = history.raw_value(field_, value), current.raw[name]
            if _same(mine, saved):
                rebased[name] = history.current_value(instance, field_)
                continue
            mine_changed = base is None or not _same(mine, base.get(name))
            theirs_changed = base is None or not _same(saved, base.get(name))
            if mine_changed and theirs_changed:
                conflicts.append(
                    FieldConflict(
                        field=name,
                        label=history.field_label(model, name),
                        theirs=current.shown[name],
                        yours=history.display_value(field_, value),
                        before=(
                            None if base is None else history.display_raw(field_, base.get(name))
                        ),
                    )
                )
                rebased[name] = value
            elif mine_changed:
                taken[name] = rebased[name] = value
            else:
                from_others.append(name)
                rebased[name] = history.current_value(instance, field_)
        others = changed_by_since(instance, base_version)
        if conflicts:
            raise EditConflict(
                changed_by=others, conflicts=conflicts, rebased=rebased, version=current_version
            )
        _apply(instance, taken)
        if from_others:
            labels = [history.field_label(model, name) for name in from_others]
            self.merged.append(Merged(changed_by=others, labels=labels))
        instance.version = current_version + 1
        return taken


def _apply(instance, values: dict) -> None:
    for name, value in values.items():
        if not instance._meta.get_field(name).many_to_many:
            setattr(instance, name, value)


def change_record(
    instance: models.Model,
    *,
    kind: str,
    by: User | None,
    council: Council | None = None,
    values: dict,
    changes: list[dict],
    reason: str = "",
    when=None,
) -> RecordChange:
    """The (unsaved) record of one change to ``instance``; ``Write`` saves it, and seeders
    that write history in bulk build theirs with it so it reads the same."""
    tracking = history.tracking_of(type(instance))
    change = RecordChange(
        council=council if council is not None else _council_of(instance),
        kind=kind,
        actor=by,
        actor_name=actor_name(by),
        record_type=history.record_type(type(instance)),
        record_id=instance.pk,
        record_label=str(tracking.label(instance))[:400],
        topic=str(tracking.topic(instance))[:100],
        version=getattr(instance, "version", None),
        values=values,
        changes=changes,
        reason=reason.strip(),
    )
    if when is not None:
        change.occurred_at = when
    return change


def _already_submitted(submission) -> AlreadySubmitted:
    first = (
        RecordChange.objects.filter(submission=submission)
        .values_list("record_type", "record_id")
        .first()
    )
    record_type, record_id = first or ("", None)
    return AlreadySubmitted(record_type=record_type, record_id=record_id)


def _same(a, b) -> bool:
    empty = (None, "", [])
    return a == b or (a in empty and b in empty)


def _council_of(instance) -> Council | None:
    council_id = getattr(instance, "council_id", None)
    return Council(pk=council_id) if council_id else None


def values_at(instance, base_version: int, names: tuple[str, ...]) -> dict | None:
    """The tracked values of ``instance`` at ``base_version`` (as stored: JSON values), or
    None when not known."""
    if base_version == 0:
        return _blank_values(type(instance), names)  # started from no record at all
    # A save that changed no tracked field records nothing, so the values at a version are
    # those of the last change recorded at or before it.
    recorded = (
        RecordChange.objects.filter(
            record_type=history.record_type(type(instance)),
            record_id=instance.pk,
            version__lte=base_version,
        )
        .exclude(kind=RecordChange.Kind.REMOVED)
        .order_by("-version", "-pk")
        .values_list("values", flat=True)
        .first()
    )
    if recorded is None and base_version == 1 and history.tracking_of(type(instance)).starts_blank:
        return _blank_values(type(instance), names)
    return recorded


def _blank_values(model, names: tuple[str, ...]) -> dict:
    """What a new record holds: each field's default (none for many-to-many)."""
    blank = model()
    values = {}
    for name in names:
        field = model._meta.get_field(name)
        values[name] = (
            [] if field.many_to_many else history.raw_value(field, getattr(blank, field.attname))
        )
    return values


def changed_by_since(instance, base_version: int) -> str:
    """Who saved ``instance`` since ``base_version``, as a page would name them."""
    names = list(
        RecordChange.objects.filter(
            record_type=history.record_type(type(instance)),
            record_id=instance.pk,
            version__gt=base_version,
        )
        .order_by("pk")
        .values_list("actor_name", flat=True)
    )
    unique = list(dict.fromkeys(name for name in names if name))
    if not unique:
        return "Someone else"
    if len(unique) == 1:
        return unique[0]
    return ", ".join(unique[:-1]) + " and " + unique[-1]


def allowed(by: User | None, permission: str | None, council: Council | None) -> bool:
    if by is None:
        return permission is None  # the service itself (a command or a task)
    return permission is None or by.has_perm(permission, council)


@contextmanager
def council_write(
    *,
    by: User | None,
    council: Council | None,
    permission: str | None,
    denied: str = "Your role in this council does not allow you to change this.",
    submission: uuid.UUID | str | None = None,
) -> Iterator[Write]:
    """Check ``permission`` for ``by`` on ``council``, then run the change and its history in
    one transaction. ``by=None`` with ``permission=None`` is the service itself (a command or
    a scheduled task); a person always needs a permission named.

    ``submission`` is an add form's one-time token: a form already sent raises
    ``AlreadySubmitted`` before anything is changed (and, sent twice at the same moment, when
    the second reaches the database).
    """
    if by is not None and permission is None:
        raise ValueError("A write by a person names the permission it needs.")
    if not allowed(by, permission, council):
        raise PermissionDenied(denied)
    submission = _as_uuid(submission)
    if submission is not None and RecordChange.objects.filter(submission=submission).exists():
        raise _already_submitted(submission)
    with transaction.atomic():
        yield Write(by=by, council=council, submission=submission)


def _as_uuid(value) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None  # a mangled token protects nothing, and refusing the save would lose it
