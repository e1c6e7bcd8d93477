from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET

from keepitlocal.pages import conflict_context, say_saved
from keepitlocal.selectors import record_history
from keepitlocal.writes import EditConflict
from principles.spend.exports import supplier_register_csv
from principles.spend.forms import (
    LocalSpendPeriodForm,
    LocalSpendSettingsForm,
    SpendFileColumnsForm,
    SpendFileForm,
    SupplierFileForm,
    SupplierForm,
    UndoImportForm,
    as_yes_no,
)
from principles.spend.models import LocalSpendPeriod, Supplier
from principles.spend.selectors import (
    SHOW,
    council_latest_local_spend,
    council_spend_import,
    council_spend_imports,
    council_spend_period,
    council_spend_periods,
    council_spend_settings,
    council_supplier,
    imported_file_coverage,
    largest_unclassified_suppliers,
    local_spend_charts,
    spend_file_preview,
    spend_file_preview_coverage,
    suggested_columns,
    supplier_register,
    supplier_register_counts,
    undo_preview,
)
from principles.spend.services import (
    AlreadyImported,
    ImportResult,
    MalformedFile,
    MalformedSupplierFile,
    local_choice,
    local_spend_file_upload,
    local_spend_import_map_columns,
    local_spend_import_transparency_file,
    local_spend_import_undo,
    local_spend_period_record,
    local_spend_period_update,
    local_spend_settings_update,
    supplier_classify,
    supplier_register_update_from_file,
)
from principles.spend.supplier_file import MAX_SUPPLIER_FILE_BYTES
from principles.spend.transparency import COLUMNS, FileRefused, column_letter
from principles.spend.uploads import SpendFileSizeLimit

CHANGE = "principles.change_local_spend"
SUPPLIERS_PER_PAGE = 50


def _require_change(request) -> None:
    if not request.user.has_perm(CHANGE, request.council):
        raise PermissionDenied(
            "Your role in this council does not allow you to change local spend."
        )


def _index(council):
    return redirect("spend:index", council_slug=council.slug)


def _recomputed(periods: list[LocalSpendPeriod]) -> str:
    if not periods:
        return ""
    figures = ", ".join(
        f"{period.label} (no spend)"
        if period.percentage is None
        else f"{period.label} {period.percentage}% local"
        + ("" if period.local_share_known else " so far (not all suppliers classified)")
        for period in periods
    )
    return f" Recomputed: {figures}."


@require_GET
def local_spend(request, council_slug: str):
    council = request.council
    periods = list(council_spend_periods(council))
    return render(
        request,
        "spend/local_spend.html",
        {
            "council": council,
            "periods": periods,
            "charts": local_spend_charts(periods),
            "latest": council_latest_local_spend(council),
            "settings": council_spend_settings(council),
            "counts": supplier_register_counts(council),
            "history": record_history(council, topics=["local-spend"]),
        },
    )


def settings_edit(request, council_slug: str):
    _require_change(request)
    council = request.council
    current = council_spend_settings(council)
    initial = {}
    if current is not None:
        initial = {
            "target_percentage": current.target_percentage,
            "local_areas": ", ".join(current.local_areas),
        }
    form = LocalSpendSettingsForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        local_spend_settings_update(council=council, by=request.user, **form.cleaned_data)
        messages.success(request, "Local spend settings saved.")
        return _index(council)
    return render(request, "spend/settings_form.html", {"council": council, "form": form})


def period_add(request, council_slug: str):
    _require_change(request)
    council = request.council
    current = council_spend_settings(council)
    form = LocalSpendPeriodForm(
        request.POST if request.method == "POST" else None,
        initial={
            "version": 0,
            "target_percentage": current.target_percentage if current else None,
        },
        council=council,
    )
    if request.method == "POST" and form.is_valid():
        try:
            period = local_spend_period_record(
                council=council, by=request.user, **form.record_fields()
            )
        except ValidationError as error:  # added by someone else a moment before
            _add_errors(form, error)
        else:
            messages.success(request, f"{period.label} added.")
            return _index(council)
    return render(
        request, "spend/period_form.html", {"council": council, "form": form, "period": None}
    )


def period_edit(request, council_slug: str, pk: int):
    council = request.council
    period = council_spend_period(council, pk)  # not ours is a 404 before any 403
    _require_change(request)
    initial = {
        "version": period.version,
        "source": period.source,
        "tier2_local_spend": period.tier2_local_spend,
        "target_percentage": period.target_percentage,
    }
    if not period.is_computed:
        initial |= {
            "total_spend": period.total_spend,
            "local_spend": period.local_spend,
            "local_supplier_count": period.local_supplier_count,
            "sme_spend": period.sme_spend,
            "vcse_spend": period.vcse_spend,
        }
    form = LocalSpendPeriodForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        council=council,
        period=period,
    )
    extra = {}
    if request.method == "POST" and form.is_valid():
        try:
            saved = local_spend_period_update(
                period=period,
                by=request.user,
                base_version=form.cleaned_data["version"],
                **form.record_fields(),
            )
        except EditConflict as conflict:
            extra = conflict_context(form, conflict)
        else:
            say_saved(request, saved, f"{saved.label} saved.")
            return _index(council)
    return render(
        request,
        "spend/period_form.html",
        {"council": council, "form": form, "period": period, **extra},
    )


# --- Spend files ---------------------------------------------------------------


@require_GET
def import_list(request, council_slug: str):
    return render(
        request,
        "spend/import_list.html",
        {"council": request.council, "imports": council_spend_imports(request.council)},
    )


@csrf_exempt
def import_upload(request, council_slug: str):
    # The size limit must be in place before anything reads the request body, which
    # the CSRF check does; so CSRF is checked by the inner view instead.
    limit = SpendFileSizeLimit(request)
    request.upload_handlers.insert(0, limit)
    return _import_upload(request, council_slug=council_slug, limit=limit)


@csrf_protect
def _import_upload(request, council_slug: str, limit: SpendFileSizeLimit):
    _require_change(request)
    council = request.council
    form = SpendFileForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        too_large=request.method == "POST" and limit.refused,
    )
    if request.method == "POST" and form.is_valid():
        try:
            spend_import = local_spend_file_upload(
                council=council, by=request.user, upload=form.cleaned_data["file"]
            )
        except FileRefused as refused:
            form.add_error("file", str(refused))
        else:
            if spend_import.mapping:
                messages.success(
                    request,
                    "The columns are the same as in a file imported before, so they have been "
                    "chosen for you. Check the preview.",
                )
                return redirect("spend:import", council_slug=council.slug, pk=spend_import.pk)
            return redirect("spend:import-columns", council_slug=council.slug, pk=spend_import.pk)
    return render(request, "spend/import_upload.html", {"council": council, "form": form})


def import_columns(request, council_slug: str, pk: int):
    council = request.council
    spend_import = council_spend_import(council, pk)
    _require_change(request)
    if not spend_import.is_pending:
        return redirect("spend:import", council_slug=council.slug, pk=pk)
    form = SpendFileColumnsForm(
        request.POST if request.method == "POST" else None,
        initial=SpendFileColumnsForm.initial_from(suggested_columns(spend_import)),
        headers=spend_import.headers,
    )
    if request.method == "POST" and form.is_valid():
        try:
            local_spend_import_map_columns(
                spend_import=spend_import, by=request.user, mapping=form.mapping()
            )
        except ValidationError as error:
            for key, messages_ in error.message_dict.items():
                for message in messages_:
                    form.add_error(key if key in form.fields else None, message)
        else:
            return redirect("spend:import", council_slug=council.slug, pk=pk)
    return render(
        request,
        "spend/import_columns.html",
        {"council": council, "spend_import": spend_import, "form": form},
    )


def import_preview(request, council_slug: str, pk: int):
    """What the file holds, its bad rows if any, and **Import file**."""
    council = request.council
    spend_import = council_spend_import(council, pk)
    _require_change(request)
    if spend_import.is_pending and not spend_import.mapping:
        return redirect("spend:import-columns", council_slug=council.slug, pk=pk)
    context = {"council": council, "spend_import": spend_import}
    if request.method == "POST" and spend_import.is_pending:
        try:
            result = local_spend_import_transparency_file(
                spend_import=spend_import, by=request.user
            )
        except MalformedFile as malformed:
            context["summary"] = malformed.summary
        except FileRefused as refused:
            context["refused"] = str(refused)
        except AlreadyImported as already:
            if already.earlier.pk == spend_import.pk:  # a second click on Import file
                messages.info(request, "This file has been imported.")
                return redirect("spend:import", council_slug=council.slug, pk=pk)
            messages.warning(request, str(already))
            return redirect("spend:imports", council_slug=council.slug)
        else:
            messages.success(request, _imported_message(result))
            return _index(council)
    elif request.method == "POST" and spend_import.is_imported:
        messages.warning(request, "This file has been imported already.")
    elif request.method == "POST":
        messages.warning(
            request, "This import has been undone. Upload the file again to import it."
        )
    if spend_import.is_imported:
        context["coverage"] = imported_file_coverage(council, spend_import)
    elif spend_import.is_pending and "summary" not in context and "refused" not in context:
        try:
            context["summary"] = summary = spend_file_preview(spend_import)
        except FileRefused as refused:
            context["refused"] = str(refused)
        else:
            if not summary.payment_count and not summary.problem_count:
                context["refused"] = "The file has no payments below its column names"
            elif not summary.problem_count:
                context["coverage"] = spend_file_preview_coverage(council, summary)
    context["columns"] = [
        (column.label, column_letter(index), spend_import.headers[index])
        for column in COLUMNS
        if (index := spend_import.mapping.get(column.key)) is not None
        and index < len(spend_import.headers)
    ]
    return render(request, "spend/import_preview.html", context)


def import_undo(request, council_slug: str, pk: int):
    """**Undo this import**: what will go and what will be recomputed, then the undo."""
    council = request.council
    spend_import = council_spend_import(council, pk)
    _require_change(request)
    if not spend_import.is_imported:
        if request.method == "POST":
            messages.warning(request, "This import has been undone already.")
        return redirect("spend:import", council_slug=council.slug, pk=pk)
    form = UndoImportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = local_spend_import_undo(
                spend_import=spend_import, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            undone = result.spend_import
            count = undone.payment_count or 0
            message = (
                f"The import of {undone.file_name} is undone: its {count:,} "
                f"payment{'s are' if count != 1 else ' is'} no longer counted."
            )
            if result.counted_instead:
                message += (
                    f" {result.counted_instead:,} of them are counted from a later file that "
                    "holds them too."
                )
            messages.success(request, message + _recomputed(result.periods))
            return redirect("spend:import", council_slug=council.slug, pk=pk)
    return render(
        request,
        "spend/import_undo.html",
        {
            "council": council,
            "spend_import": spend_import,
            "form": form,
            **undo_preview(spend_import),
        },
    )


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for key, messages_ in error.message_dict.items():
            for message in messages_:
                form.add_error(key if key in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _imported_message(result: ImportResult) -> str:
    imported = result.spend_import
    new, held = result.new_supplier_count, result.duplicate_count
    message = f"Imported {imported.payment_count:,} payments from {imported.file_name}."
    if held:
        message += (
            f" {held:,} of them {'were' if held != 1 else 'was'} already held from other files "
            "and are not counted again."
        )
    message += f" {new:,} new supplier{'s' if new != 1 else ''} added to the register."
    return message + _recomputed(result.periods)


# --- Supplier register -----------------------------------------------------------


@require_GET
def supplier_list(request, council_slug: str):
    council = request.council
    show = request.GET.get("show", "all")
    if show not in SHOW:
        show = "all"
    page = Paginator(supplier_register(council, show), SUPPLIERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "spend/supplier_list.html",
        {
            "council": council,
            "page": page,
            "show": show,
            "filters": [(key, label) for key, (label, _) in SHOW.items()],
            "counts": supplier_register_counts(council),
            "unclassified": largest_unclassified_suppliers(council) if show == "all" else [],
        },
    )


def _local_said(supplier: Supplier) -> str:
    if supplier.local_decided_by == Supplier.DecidedBy.POSTCODE:
        if supplier.is_local is None:
            return "not known until your council has local postcode areas"
        return f"{supplier.local_label.lower()} (from its postcode)"
    return supplier.local_label.lower()


def supplier_edit(request, council_slug: str, pk: int):
    council = request.council
    supplier = council_supplier(council, pk)
    can_change = request.user.has_perm(CHANGE, council)
    if request.method == "POST" and not can_change:
        raise PermissionDenied(
            "Your role in this council does not allow you to change local spend."
        )
    current = council_spend_settings(council)
    form = None
    extra = {}
    if can_change:
        form = SupplierForm(
            request.POST if request.method == "POST" else None,
            initial={
                "version": supplier.version,
                "postcode": supplier.postcode,
                "local": local_choice(supplier),
                "is_sme": as_yes_no(supplier.is_sme),
                "is_vcse": as_yes_no(supplier.is_vcse),
            },
            local_areas=current.local_areas if current else [],
        )
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            result = supplier_classify(
                supplier=supplier,
                by=request.user,
                base_version=form.cleaned_data["version"],
                **form.record_fields(),
            )
        except EditConflict as conflict:
            extra = conflict_context(form, conflict)
        except ValidationError as error:
            for key, messages_ in error.message_dict.items():
                for message in messages_:
                    form.add_error(key if key in form.fields else None, message)
        else:
            saved = result.supplier
            say_saved(
                request,
                saved,
                f"{saved.name} saved: {_local_said(saved)}." + _recomputed(result.periods),
            )
            return redirect("spend:suppliers", council_slug=council.slug)
    return render(
        request,
        "spend/supplier_form.html",
        {
            "council": council,
            "supplier": supplier,
            "form": form,
            "history": record_history(council, record=supplier),
            **extra,
        },
    )


@csrf_exempt
def supplier_file_upload(request, council_slug: str):
    # As for spend files: the size limit is in place before the CSRF check reads the body.
    limit = SpendFileSizeLimit(request, limit=MAX_SUPPLIER_FILE_BYTES)
    request.upload_handlers.insert(0, limit)
    return _supplier_file_upload(request, council_slug=council_slug, limit=limit)


@csrf_protect
def _supplier_file_upload(request, council_slug: str, limit: SpendFileSizeLimit):
    """Update the supplier register from a CSV file, all of it or none of it."""
    _require_change(request)
    council = request.council
    form = SupplierFileForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        too_large=request.method == "POST" and limit.refused,
    )
    context = {"council": council, "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = supplier_register_update_from_file(
                council=council, by=request.user, upload=upload
            )
        except FileRefused as refused:
            form.add_error("file", str(refused))
        except MalformedSupplierFile as malformed:
            context["summary"] = malformed.summary
            context["file_name"] = upload.name
        else:
            changed, unchanged = result.changed, result.unchanged
            messages.success(
                request,
                f"Supplier register updated from {upload.name}: {changed:,} supplier"
                f"{'s' if changed != 1 else ''} changed, {unchanged:,} already as the file says."
                + _recomputed(result.periods),
            )
            return redirect("spend:suppliers", council_slug=council.slug)
    return render(request, "spend/supplier_file_upload.html", context)


@require_GET
def supplier_export(request, council_slug: str):
    council = request.council
    response = HttpResponse(supplier_register_csv(council), content_type="text/csv; charset=utf-8")
    filename = f"{council.slug}-suppliers-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
