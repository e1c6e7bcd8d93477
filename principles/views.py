from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from keepitlocal.forms import RemovalForm
from keepitlocal.pages import conflict_context, say_already_sent, say_saved
from keepitlocal.selectors import record_history
from keepitlocal.writes import AlreadySubmitted
from principles.exports import council_progress_csv
from principles.forms import ActionForm, EvidenceChangeForm, EvidenceForm, ProgressForm
from principles.selectors import (
    council_action,
    council_evidence,
    council_people,
    principle_actions,
    principle_by_number,
    principle_evidence,
    principle_grid,
    principle_progress,
)
from principles.services import (
    ACTION_FIELDS,
    EVIDENCE_FIELDS,
    PROGRESS_FIELDS,
    EditConflict,
    action_create,
    action_remove,
    action_update,
    evidence_add,
    evidence_remove,
    evidence_update,
    principle_progress_update,
)
from principles.spend.selectors import council_latest_local_spend

CHANGE = "principles.change_progress"


def _require_change(request) -> None:
    if not request.user.has_perm(CHANGE, request.council):
        raise PermissionDenied("Your role in this council does not allow you to change progress.")


def _detail(council, principle):
    return redirect("principles:detail", council_slug=council.slug, number=principle.number)


@require_GET
def principle_index(request, council_slug: str):
    return render(
        request,
        "principles/principle_list.html",
        {
            "council": request.council,
            "rows": principle_grid(request.council, timezone.localdate()),
        },
    )


@require_GET
def principle_detail(request, council_slug: str, number: int):
    council = request.council
    principle = principle_by_number(number)
    today = timezone.localdate()
    actions = list(principle_actions(council, principle))
    return render(
        request,
        "principles/principle_detail.html",
        {
            "council": council,
            "principle": principle,
            "progress": principle_progress(council, principle),
            "actions": [(action, action.is_overdue(today)) for action in actions],
            "evidence": principle_evidence(council, principle),
            "history": record_history(council, topics=[f"principle:{principle.number}"]),
            # Principle 3 is local spend: its progress shows the latest figure against target.
            "local_spend": council_latest_local_spend(council) if principle.number == 3 else None,
        },
    )


def _initial(record, fields: tuple[str, ...]) -> dict:
    return {"version": record.version, **model_to_dict(record, fields=fields)}


def progress_edit(request, council_slug: str, number: int):
    _require_change(request)
    council = request.council
    principle = principle_by_number(number)
    progress = principle_progress(council, principle)
    initial = _initial(progress, PROGRESS_FIELDS) if progress else {"version": 0}
    form = ProgressForm(request.POST if request.method == "POST" else None, initial=initial)
    extra = {}
    if request.method == "POST" and form.is_valid():
        try:
            saved = principle_progress_update(
                council=council,
                principle=principle,
                by=request.user,
                base_version=form.cleaned_data["version"],
                **form.record_fields(),
            )
        except EditConflict as conflict:
            extra = conflict_context(form, conflict)
        else:
            say_saved(request, saved, "Progress saved.")
            return _detail(council, principle)
    return render(
        request,
        "principles/progress_form.html",
        {"council": council, "principle": principle, "form": form, **extra},
    )


def action_add(request, council_slug: str, number: int):
    _require_change(request)
    council = request.council
    principle = principle_by_number(number)
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        initial={"version": 0},
        people=council_people(council),
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = action_create(
                council=council,
                principle=principle,
                by=request.user,
                submission=form.cleaned_data["submission"],
                **form.record_fields(),
            )
        except AlreadySubmitted:
            say_already_sent(request)
            return _detail(council, principle)
        messages.success(request, f"Action “{action.title}” added.")
        if action.is_overdue(timezone.localdate()):
            messages.warning(request, "Its due date is in the past, so it is already overdue.")
        return _detail(council, principle)
    return render(
        request,
        "principles/action_form.html",
        {"council": council, "principle": principle, "form": form, "action": None},
    )


def action_edit(request, council_slug: str, number: int, pk: int):
    council = request.council
    action = council_action(council, number, pk)  # look up first: not ours is a 404, not a 403
    _require_change(request)
    principle = action.principle
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        initial=_initial(action, ACTION_FIELDS),
        people=council_people(council),
    )
    extra = {}
    if request.method == "POST" and form.is_valid():
        try:
            saved = action_update(
                action=action,
                by=request.user,
                base_version=form.cleaned_data["version"],
                **form.record_fields(),
            )
        except EditConflict as conflict:
            extra = conflict_context(form, conflict)
        else:
            say_saved(request, saved, f"Action “{saved.title}” saved.")
            return _detail(council, principle)
    return render(
        request,
        "principles/action_form.html",
        {"council": council, "principle": principle, "form": form, "action": action, **extra},
    )


def action_delete(request, council_slug: str, number: int, pk: int):
    council = request.council
    action = council_action(council, number, pk)
    _require_change(request)
    form = RemovalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        action_remove(action=action, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, f"Action “{action.title}” removed. The history keeps it.")
        return _detail(council, action.principle)
    return render(
        request,
        "principles/remove_confirm.html",
        {
            "council": council,
            "principle": action.principle,
            "form": form,
            "heading": f"Remove the action “{action.title}”?",
            "back_url": reverse(
                "principles:action-edit", args=[council.slug, action.principle.number, action.pk]
            ),
        },
    )


def evidence_create(request, council_slug: str, number: int):
    _require_change(request)
    council = request.council
    principle = principle_by_number(number)
    form = EvidenceForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evidence = evidence_add(
                council=council,
                principle=principle,
                by=request.user,
                title=data["title"],
                description=data["description"],
                dated_on=data["dated_on"],
                url=data["url"],
                upload=data["file"],
                file_type=getattr(form, "file_type", ""),
                submission=data["submission"],
            )
        except AlreadySubmitted:
            say_already_sent(request)
            return _detail(council, principle)
        messages.success(request, f"Evidence “{evidence.title}” added.")
        return _detail(council, principle)
    return render(
        request,
        "principles/evidence_form.html",
        {"council": council, "principle": principle, "form": form, "evidence": None},
    )


def evidence_edit(request, council_slug: str, number: int, pk: int):
    council = request.council
    evidence = council_evidence(council, number, pk)
    _require_change(request)
    principle = evidence.principle
    form = EvidenceChangeForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=_initial(evidence, EVIDENCE_FIELDS),
        current_file=evidence.file_name,
    )
    extra = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = evidence_update(
                evidence=evidence,
                by=request.user,
                base_version=data["version"],
                upload=data["file"],
                file_type=getattr(form, "file_type", ""),
                remove_file=data.get("remove_file", False),
                **form.record_fields(),
            )
        except EditConflict as conflict:
            extra = conflict_context(form, conflict)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            say_saved(request, saved, f"Evidence “{saved.title}” saved.")
            return _detail(council, principle)
    return render(
        request,
        "principles/evidence_form.html",
        {
            "council": council,
            "principle": principle,
            "form": form,
            "evidence": evidence,
            **extra,
        },
    )


def evidence_delete(request, council_slug: str, number: int, pk: int):
    council = request.council
    evidence = council_evidence(council, number, pk)
    _require_change(request)
    principle = evidence.principle
    form = RemovalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            evidence_remove(evidence=evidence, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as refused:
            form.add_error(None, refused.messages[0])
        else:
            messages.success(request, f"Evidence “{evidence.title}” removed. The history keeps it.")
            return _detail(council, principle)
    return render(
        request,
        "principles/remove_confirm.html",
        {
            "council": council,
            "principle": principle,
            "form": form,
            "heading": f"Remove the evidence “{evidence.title}”?",
            "back_url": reverse(
                "principles:evidence-edit", args=[council.slug, principle.number, evidence.pk]
            ),
        },
    )


@require_GET
def evidence_file(request, council_slug: str, number: int, pk: int):
    evidence = council_evidence(request.council, number, pk)
    if not evidence.file:
        raise Http404("This evidence has no file")
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.file_name,
        content_type=evidence.file_type or "application/octet-stream",
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
def progress_export(request, council_slug: str):
    council = request.council
    response = HttpResponse(council_progress_csv(council), content_type="text/csv; charset=utf-8")
    filename = f"{council.slug}-principles-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
