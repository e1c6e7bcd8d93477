"""History moves from django-simple-history's tables to the one record of changes (ADR 0012).

Every historical row of progress, actions, evidence, assessments and answers becomes a
``RecordChange`` with the same time, person, version and values, and the fields that changed
from the row before it; then the historical tables go.
"""

import datetime
import difflib
import re

from django.db import migrations

LABELS = {
    "stage": "Stage",
    "rag": "RAG status",
    "narrative": "Summary",
    "next_steps": "Next steps",
    "title": "Title",
    "description": "Description",
    "owner": "Owner",
    "owner_name": "Partner owner",
    "due_on": "Due date",
    "status": "Status",
    "completed_on": "Completed date",
    "dated_on": "Date",
    "url": "Link",
    "file": "File",
    "period": "Period",
    "level": "Level",
    "comment": "Comment",
    "evidence": "Evidence",
}
LONG_TEXT = {"narrative", "next_steps", "description", "comment"}
CHOICES = {
    "stage": {
        "not_started": "not started",
        "developing": "developing",
        "established": "established",
        "embedded": "embedded",
    },
    "rag": {"red": "red", "amber": "amber", "green": "green"},
    "status": {
        "not_started": "not started",
        "in_progress": "in progress",
        "done": "done",
        "draft": "draft",
        "submitted": "submitted for review",
        "returned": "returned for changes",
        "approved": "approved",
    },
    "level": {1: "emerging", 2: "developing", 3: "established", 4: "leading"},
}
TRACKED = {
    "PrincipleProgress": ("stage", "rag", "narrative", "next_steps"),
    "Action": ("title", "description", "owner", "owner_name", "due_on", "status", "completed_on"),
    "Evidence": ("title", "description", "dated_on", "url", "file"),
    "Assessment": ("period", "status"),
    "Answer": ("level", "comment", "evidence"),
}


def _words(text):
    return re.findall(r"\S+|\s+", text or "")


def _text_difference(old, new):
    before, after = _words(old), _words(new)
    removed, added = [], []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag in ("replace", "delete") and "".join(before[a1:a2]).strip():
            removed.append("".join(before[a1:a2]).strip())
        if tag in ("replace", "insert") and "".join(after[b1:b2]).strip():
            added.append("".join(after[b1:b2]).strip())
    return removed, added


def _raw(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _shown(name, value, people, evidence_titles):
    if value in (None, "") or value == []:
        return "none" if name == "evidence" else "blank"
    if name in CHOICES:
        return CHOICES[name].get(value, str(value))
    if name == "owner":
        return people.get(value, "a former member")
    if name == "evidence":
        return ", ".join(evidence_titles.get(pk, "removed evidence") for pk in value)
    if name == "file":
        return str(value).rsplit("/", 1)[-1]
    if isinstance(value, datetime.date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def _values(row, fields, answer_evidence):
    values = {}
    for name in fields:
        if name == "owner":
            values[name] = row.owner_id
        elif name == "evidence":
            values[name] = sorted(answer_evidence.get(row.history_id, []))
        else:
            values[name] = _raw(getattr(row, name))
    return values


def _differences(fields, before, after, people, evidence_titles):
    found = []
    for name in fields:
        old, new = before.get(name), after[name]
        if old == new or (old in (None, "", []) and new in (None, "", [])):
            continue
        change = {"field": name, "label": LABELS[name]}
        if name in LONG_TEXT:
            removed, added = _text_difference(old or "", new or "")
            change |= {"removed": removed, "added": added}
        else:
            change |= {
                "old": _shown(name, old, people, evidence_titles) if name in before else "blank",
                "new": _shown(name, new, people, evidence_titles),
            }
        found.append(change)
    return found


def _label(model_name, row, criteria):
    if model_name == "PrincipleProgress":
        return "Progress"
    if model_name == "Action":
        return f"Action “{row.title}”"
    if model_name == "Evidence":
        return f"Evidence “{row.title}”"
    if model_name == "Assessment":
        return f"Practice assessment {row.period}"
    return f"Answer to {criteria.get(row.criterion_id, 'a criterion')}"


def move_history(apps, schema_editor):
    RecordChange = apps.get_model("keepitlocal", "RecordChange")
    User = apps.get_model("keepitlocal", "User")
    people = {
        user.pk: (f"{user.first_name} {user.last_name}".strip() or user.username)
        for user in User.objects.all()
    }
    Criterion = apps.get_model("principles", "Criterion")
    criteria = {
        c.pk: f"{c.principle.number}.{c.number}"
        for c in Criterion.objects.select_related("principle")
    }
    Evidence = apps.get_model("principles", "Evidence")
    evidence_titles = dict(Evidence.objects.values_list("pk", "title"))
    answer_evidence = {}
    for history_id, evidence_id in apps.get_model(
        "principles", "HistoricalAnswer_evidence"
    ).objects.values_list("history_id", "evidence_id"):
        answer_evidence.setdefault(history_id, []).append(evidence_id)
    numbers = dict(apps.get_model("principles", "Principle").objects.values_list("pk", "number"))
    Assessment = apps.get_model("principles", "Assessment")
    assessment_councils = dict(Assessment.objects.values_list("pk", "council_id"))
    councils = set(apps.get_model("keepitlocal", "Council").objects.values_list("pk", flat=True))
    kinds = {"+": "added", "~": "changed", "-": "removed"}
    for model_name, fields in TRACKED.items():
        Historical = apps.get_model("principles", f"Historical{model_name}")
        rows = Historical.objects.order_by("id", "history_date", "history_id").iterator(2000)
        batch, previous_id, before = [], None, {}
        for row in rows:
            if row.id != previous_id:
                previous_id, before = row.id, {}
            after = _values(row, fields, answer_evidence)
            kind = kinds.get(row.history_type, "changed")
            if kind == "removed":
                changes = []
            else:
                changes = _differences(fields, before, after, people, evidence_titles)
            before = after
            if kind == "changed" and not changes:
                continue
            if model_name == "Answer":
                council_id = assessment_councils.get(row.assessment_id)
                topic = f"assessment:{row.assessment_id}"
            elif model_name == "Assessment":
                council_id, topic = row.council_id, f"assessment:{row.id}"
            else:
                council_id = row.council_id
                topic = f"principle:{numbers.get(row.principle_id, row.principle_id)}"
            if council_id not in councils:
                # A council removed since, with its records: its history went with it.
                continue
            batch.append(
                RecordChange(
                    council_id=council_id,
                    occurred_at=row.history_date,
                    kind=kind,
                    actor_id=row.history_user_id if row.history_user_id in people else None,
                    actor_name=people.get(row.history_user_id, ""),
                    record_type=f"principles.{model_name.lower()}",
                    record_id=row.id,
                    record_label=_label(model_name, row, criteria)[:400],
                    topic=topic,
                    version=getattr(row, "version", None)
                    or (1 if model_name == "Evidence" else None),
                    values=after,
                    changes=changes,
                    reason=row.history_change_reason or "",
                )
            )
            if len(batch) >= 2000:
                RecordChange.objects.bulk_create(batch)
                batch = []
        RecordChange.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("principles", "0007_publish_the_first_framework"),
        ("keepitlocal", "0005_record_changes"),
    ]

    operations = [migrations.RunPython(move_history, migrations.RunPython.noop)]
