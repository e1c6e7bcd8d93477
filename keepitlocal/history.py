"""What each kind of council record keeps in its history, and how a change reads (ADR 0012).

A model joins the history with the ``tracked`` class decorator, naming the fields whose old
and new values are kept, where its changes are shown (its *topic*, such as ``principle:3``)
and how a person would name one record ("Action “Hold a supplier day”"). The writes
contract (``keepitlocal.writes``) takes snapshots through ``snapshot`` and stores what
``differences`` finds; pages read it back through ``keepitlocal.selectors.record_history``.
"""

import datetime
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.files import FieldFile

# Long text longer than this is shown as what was removed and added, never in full.
SHORT_TEXT = 120


@dataclass(frozen=True)
class Tracking:
    fields: tuple[str, ...]
    topic: Callable[[Any], str]
    label: Callable[[Any], str]
    # How the first save reads, formatted with the first values as shown and the record's
    # {label}, e.g. "Progress first recorded at stage {stage}"; by default "<label> added".
    added: str = ""
    # False for a record that is the page's own subject (a principle's progress), whose
    # changes read "Stage changed …" rather than "Progress: stage changed …".
    named_in_changes: bool = True
    # True when every record of the kind is made with its fields at their defaults, in bulk and
    # without history (a new assessment's empty answers): version 1 is then known to be blank.
    starts_blank: bool = False
    # Fields kept in the stored values (for merging edits) but not said in the history, such
    # as who decided a supplier is local, which the "local" change already says.
    quiet: tuple[str, ...] = ()


_TRACKED: dict[type[models.Model], Tracking] = {}


def tracked(
    *fields: str,
    topic: Callable[[Any], str],
    label: Callable[[Any], str],
    added: str = "",
    named_in_changes: bool = True,
    starts_blank: bool = False,
    quiet: tuple[str, ...] = (),
):
    """Class decorator: keep the history of ``fields`` of this model (see the module docstring)."""

    def register(model: type[models.Model]) -> type[models.Model]:
        _TRACKED[model] = Tracking(
            fields=fields,
            topic=topic,
            label=label,
            added=added,
            named_in_changes=named_in_changes,
            starts_blank=starts_blank,
            quiet=quiet,
        )
        return model

    return register


def tracking_of(model: type[models.Model]) -> Tracking:
    try:
        return _TRACKED[model]
    except KeyError:
        raise LookupError(
            f"{model.__name__} keeps no history: decorate it with keepitlocal.history.tracked"
        ) from None


def record_type(model: type[models.Model]) -> str:
    return model._meta.label_lower


def tracked_models() -> dict[str, type[models.Model]]:
    return {record_type(model): model for model in _TRACKED}


# Values ---------------------------------------------------------------------


def _field(model, name: str):
    return model._meta.get_field(name)


def raw_value(field, value) -> Any:
    """A value as JSON can hold it: related records by key, dates as ISO text."""
    if value is None:
        return None
    if isinstance(value, FieldFile):
        return value.name or ""
    if field.many_to_many:
        return sorted(item.pk if isinstance(item, models.Model) else item for item in value)
    if field.is_relation:
        return value.pk if isinstance(value, models.Model) else value
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def display_value(field, value) -> str:
    """A value as a person reads it: choices by label, dates written out, people by name."""
    if field.many_to_many:
        items = list(value or [])
        return ", ".join(str(item) for item in items) if items else "none"
    if isinstance(value, FieldFile):
        value = value.name or ""
        return value.rsplit("/", 1)[-1] if value else "blank"
    if value in (None, "") or value == []:
        return "blank"
    if field.is_relation:
        if not isinstance(value, models.Model):
            value = field.related_model._base_manager.filter(pk=value).first()
            if value is None:
                return "a record since removed"
        return str(value)
    if field.choices:
        label = str(dict(field.flatchoices).get(value, value))
        # Choices read inside a sentence ("changed from not started to done"), acronyms kept.
        return label if re.search(r"[A-Z]{2}", label) else label.lower()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return f"{value:%-d %B %Y, %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


def display_raw(field, raw) -> str:
    """A stored (JSON) value as a person reads it."""
    if raw is not None and not field.is_relation and not isinstance(field, models.JSONField):
        try:
            raw = field.to_python(raw)
        except (TypeError, ValueError, ValidationError):
            return str(raw)  # an old value that no longer parses reads as it was stored
    return display_value(field, raw)


def current_value(instance, field):
    """The value of ``field`` on ``instance``: related records, a list for many-to-many."""
    if field.many_to_many:
        if instance.pk is None:
            return []
        return list(getattr(instance, field.name).all())
    if field.is_relation:
        return getattr(instance, field.name)
    return getattr(instance, field.attname)


@dataclass(frozen=True)
class Snapshot:
    raw: dict[str, Any]
    shown: dict[str, str]


def snapshot(instance, fields: tuple[str, ...] | None = None) -> Snapshot:
    """The tracked fields of ``instance`` now, as stored and as shown."""
    model = type(instance)
    names = fields or tracking_of(model).fields
    raw, shown = {}, {}
    for name in names:
        field = _field(model, name)
        value = current_value(instance, field)
        raw[name] = raw_value(field, value)
        shown[name] = display_value(field, value)
    return Snapshot(raw=raw, shown=shown)


def field_label(model, name: str) -> str:
    label = str(_field(model, name).verbose_name)
    return label[:1].upper() + label[1:]


def _is_long_text(field) -> bool:
    return isinstance(field, models.TextField)


def _words(text: str) -> list[str]:
    return re.findall(r"\S+|\s+", text)


def text_difference(old: str, new: str) -> tuple[list[str], list[str]]:
    """The passages removed from ``old`` and added in ``new``, word by word."""
    before, after = _words(old or ""), _words(new or "")
    removed, added = [], []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            passage = "".join(before[a1:a2]).strip()
            if passage:
                removed.append(passage)
        if tag in ("replace", "insert"):
            passage = "".join(after[b1:b2]).strip()
            if passage:
                added.append(passage)
    return removed, added


def differences(model, before: Snapshot, after: Snapshot) -> list[dict]:
    """Each tracked field that changed: its label, old and new values (removed and added
    passages for long text)."""
    found = []
    quiet = _TRACKED[model].quiet if model in _TRACKED else ()
    for name, new in after.raw.items():
        old = before.raw.get(name)
        if old == new or (old in (None, "", []) and new in (None, "", [])):
            continue
        field = _field(model, name)
        change = {"field": name, "label": field_label(model, name)}
        if _is_long_text(field):
            removed, added = text_difference(old or "", new or "")
            change |= {"removed": removed, "added": added}
        else:
            change |= {"old": before.shown.get(name, "blank"), "new": after.shown[name]}
        if name in quiet:
            change["quiet"] = True  # recorded, so edits merge against it; never said
        found.append(change)
    return found


def describe(change: dict) -> str:
    """One stored field change as a sentence."""
    label = change["label"]
    if "removed" in change or "added" in change:
        parts = []
        if change.get("removed"):
            parts.append("removed " + ", ".join(f"“{_short(p)}”" for p in change["removed"]))
        if change.get("added"):
            parts.append("added " + ", ".join(f"“{_short(p)}”" for p in change["added"]))
        return f"{label} changed: {'; '.join(parts)}" if parts else f"{label} changed"
    return f"{label} changed from {_short(change['old'])} to {_short(change['new'])}"


def _short(text: str) -> str:
    return text if len(text) <= SHORT_TEXT else text[: SHORT_TEXT - 1].rstrip() + "…"


def sentences(change) -> list[str]:
    """A stored ``RecordChange`` in plain English: one sentence per thing that changed."""
    label = change.record_label
    model = tracked_models().get(change.record_type)
    tracking = _TRACKED.get(model)
    if change.kind == "added":
        if tracking is not None and tracking.added:
            shown = {item["field"]: item.get("new", "") for item in change.changes}
            shown["label"] = label
            try:
                return [tracking.added.format_map(_Blank(shown))]
            except (KeyError, ValueError):
                pass
        return [f"{label} added" + (f": {change.reason}" if change.reason else "")]
    if change.kind == "removed":
        return [f"{label} removed" + (f": {change.reason}" if change.reason else "")]
    said = []
    for item in change.changes:
        if item.get("quiet"):
            continue
        sentence = describe(item)
        if tracking is None or tracking.named_in_changes:
            # "Action “X”: status changed …", but "SME" stays "SME".
            if not sentence[1:2].isupper():
                sentence = sentence[:1].lower() + sentence[1:]
            sentence = f"{label}: {sentence}"
        said.append(sentence)
    if change.reason and said:
        said[-1] += f" ({change.reason})"
    return said


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "blank"
