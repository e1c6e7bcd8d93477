from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from principles.exports import council_progress_csv
from principles.forms import ActionForm, EvidenceForm, ProgressForm
from principles.selectors import (
    council_action,
    council_evidence,
    council_people,
    principle_actions,
    principle_by_number,
    principle_evidence,
    principle_grid,
    principle_history,
    principle_progress,
)
from principles.services import (
    ACTION_FIELDS,
    PROGRESS_FIELDS,
    EditConflict,
    action_create,
    action_update,
    evidence_add,
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
            "history": principle_history(council, principle),
            # Principle 3 is local spend: its progress shows the latest figure against target.
            "local_spend": council_latest_local_spend(council) if principle.number == 3 else None,
        },
    )


def _conflict_context(form, conflict: EditConflict, current_version: int) -> dict:
    # Keep what the person typed, but base their next save on the newer version.
    data = form.data.copy()
    data["version"] = str(current_version)
    form.data = data
    form.add_error(None, f"{conflict.changed_by} changed this while you were editing it")
    return {"conflict": conflict}


def progress_edit(request, council_slug: str, number: int):
    _require_change(request)
    council = request.council
    principle = principle_by_number(number)
    progress = principle_progress(council, principle)
    initial = {"version": progress.version if progress else 0}
    if progress:
        initial |= model_to_dict(progress, fields=PROGRESS_FIELDS)
    form = ProgressForm(request.POST if request.method == "POST" else None, initial=initial)
    extra = {}
    if request.method == "POST" and form.is_valid():
        try:
            principle_progress_update(
                council=council,
                principle=principle,
                by=request.user,
                base_version=form.cleaned_data["version"],
                **form.record_fields(),
            )
        except EditConflict as conflict:
            current = principle_progress(council, principle)
            extra = _conflict_context(form, conflict, current.version if current else 0)
        else:
            messages.success(request, "Progress saved.")
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
        action = action_create(
            council=council, principle=principle, by=request.user, **form.record_fields()
        )
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
    initial = {"version": action.version, **model_to_dict(action, fields=ACTION_FIELDS)}
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        people=council_people(council),
    )
    extra = {}
    if request.method == "POST" and form.is_valid():
        try:
            action_update(
                action=action,
                by=request.user,
                base_version=form.cleaned_data["version"],
                **form.record_fields(),
            )
        except EditConflict as conflict:
            action.refresh_from_db()
            extra = _conflict_context(form, conflict, action.version)
        else:
            messages.success(request, f"Action “{form.cleaned_data['title']}” saved.")
            return _detail(council, principle)
    return render(
        request,
        "principles/action_form.html",
        {"council": council, "principle": principle, "form": form, "action": action, **extra},
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
        )
        messages.success(request, f"Evidence “{evidence.title}” added.")
        return _detail(council, principle)
    return render(
        request,
        "principles/evidence_form.html",
        {"council": council, "principle": principle, "form": form},
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
