import hashlib
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.views.decorators.http import require_GET

from champions.forms import AppointmentForm, EndAppointmentForm, NetworkFilterForm, SharingForm
from champions.freshness import cached, council_records_version, network_records_version
from champions.network import (
    DEFAULT_SORT,
    SORT_KEYS,
    filter_rows,
    network_columns,
    network_csv,
    sort_links,
    sort_rows,
    stage_spread_chart,
)
from champions.selectors import (
    champion_posts,
    council_appointment,
    council_appointments,
    council_dashboard,
    network_councils,
    network_rows,
    peer_councils,
)
from champions.services import champion_appoint, champion_appointment_end, council_sharing_update
from keepitlocal.pages import say_already_sent
from keepitlocal.selectors import record_history
from keepitlocal.writes import AlreadySubmitted
from principles.selectors import council_people, principle_list

PAGE_SIZE = 50


# --- The council dashboard (the council's overview) -----------------------


@require_GET
def council_dashboard_view(request, council_slug: str):
    council = request.council
    today = timezone.localdate()

    def render_content() -> str:
        dashboard = council_dashboard(council, today)
        return render_to_string(
            "champions/includes/dashboard_content.html",
            {"council": council, "dashboard": dashboard, "today": today},
        )

    # The version is read before the records, so nothing newer is cached under an older one.
    key = f"champions:dashboard:{council.pk}:{council_records_version(council)}:{today}"
    return render(
        request,
        "champions/dashboard.html",
        {"council": council, "content": cached(key, render_content)},
    )


# --- Champion appointments -------------------------------------------------


def _require_change(request) -> None:
    if not request.user.has_perm("champions.change_appointments", request.council):
        raise PermissionDenied("Only a council admin can record champion appointments.")


@require_GET
def champion_list(request, council_slug: str):
    council = request.council
    today = timezone.localdate()
    return render(
        request,
        "champions/champion_list.html",
        {
            "council": council,
            "posts": champion_posts(council_appointments(council), today),
            "today": today,
            "history": record_history(council, topics=["champions"]),
        },
    )


def _form_errors_from(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        for message in messages_:
            form.add_error(field if field in form.fields else None, message.rstrip("."))


def champion_appoint_view(request, council_slug: str):
    _require_change(request)
    council = request.council
    kind = request.GET.get("kind")
    form = AppointmentForm(
        request.POST if request.method == "POST" else None,
        initial={"kind": kind} if kind else None,
        people=council_people(council),
    )
    if request.method == "POST" and form.is_valid():
        try:
            appointment, ended = champion_appoint(
                council=council,
                by=request.user,
                submission=form.cleaned_data["submission"],
                **form.record_fields(),
            )
        except AlreadySubmitted:
            say_already_sent(request)
            return redirect("champions:list", council_slug=council.slug)
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(
                request, f"{appointment.name} recorded as {appointment.get_kind_display().lower()}."
            )
            if ended is not None:
                messages.info(
                    request,
                    f"{ended.name}’s appointment ended on {format_date(ended.ends_on, 'j F Y')}.",
                )
            return redirect("champions:list", council_slug=council.slug)
    return render(request, "champions/appointment_form.html", {"council": council, "form": form})


def champion_end_view(request, council_slug: str, pk: int):
    council = request.council
    appointment = council_appointment(council, pk)  # not ours is a 404 before any 403
    _require_change(request)
    form = EndAppointmentForm(
        request.POST if request.method == "POST" else None,
        initial=EndAppointmentForm.initial_for(),
        appointment=appointment,
    )
    if request.method == "POST" and form.is_valid():
        try:
            champion_appointment_end(
                appointment=appointment, by=request.user, ends_on=form.cleaned_data["ends_on"]
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(
                request,
                f"{appointment.name}’s appointment as {appointment.get_kind_display().lower()} "
                f"ends on {format_date(form.cleaned_data['ends_on'], 'j F Y')}.",
            )
            return redirect("champions:list", council_slug=council.slug)
    return render(
        request,
        "champions/end_form.html",
        {"council": council, "form": form, "appointment": appointment},
    )


# --- The network, and the peer view of it ----------------------------------


@dataclass(frozen=True)
class _NetworkTable:
    form: NetworkFilterForm
    principles: list
    network_size: int
    rows: list
    sort: str
    descending: bool


def _network_table(request, councils) -> _NetworkTable:
    """The councils' rows, filtered and sorted as the query string asks."""
    principles = list(principle_list())
    form = NetworkFilterForm(request.GET or None)
    sort = request.GET.get("sort", DEFAULT_SORT)
    sort = sort if sort in SORT_KEYS else DEFAULT_SORT
    descending = request.GET.get("order") == "desc"
    everyone = network_rows(councils, principles, timezone.localdate())
    rows = sort_rows(filter_rows(everyone, form.filters()), sort, descending)
    return _NetworkTable(form, principles, len(everyone), rows, sort, descending)


def _network_page(request, councils, *, export_url: str, own_council=None) -> HttpResponse:
    """The network table for ``councils``, cached until any council's records change."""
    today = timezone.localdate()
    can_change_sharing = own_council is not None and request.user.has_perm(
        "champions.change_sharing", own_council
    )
    viewer = "network" if own_council is None else f"peer-{own_council.pk}-{can_change_sharing}"
    query = sorted(request.GET.lists())
    digest = hashlib.sha256(repr(query).encode()).hexdigest()
    key = f"champions:network:{viewer}:{network_records_version()}:{today}:{digest}"

    def render_content() -> dict:
        table = _network_table(request, councils)
        page = Paginator(table.rows, PAGE_SIZE).get_page(request.GET.get("page"))
        page_query = request.GET.copy()
        page_query.pop("page", None)
        columns = network_columns(table.principles)
        html = render_to_string(
            "champions/includes/network_content.html",
            {
                "form": table.form,
                "principles": table.principles,
                "page": page,
                "page_query": page_query.urlencode(),
                "network_size": table.network_size,
                "sort_links": sort_links(columns, request.GET, table.sort, table.descending),
                "sort": table.sort,
                "order": "desc" if table.descending else "asc",
                "chart": stage_spread_chart(table.rows, table.principles),
                "own_council": own_council,
                "can_change_sharing": can_change_sharing,
                "is_filtered": any(request.GET.get(name) for name in table.form.fields),
                "export_url": export_url,
                "export_query": request.GET.urlencode(),
            },
        )
        return {"html": html, "errors": bool(table.form.errors)}

    content = cached(key, render_content)
    return render(
        request,
        "champions/network.html",
        {
            "content": content["html"],
            # The page title starts "Error: " when the filters had mistakes.
            "form": {"errors": content["errors"]},
            "own_council": own_council,
        },
    )


def _csv_response(table: _NetworkTable, filename: str) -> HttpResponse:
    response = HttpResponse(
        network_csv(table.rows, table.principles), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _require_network_admin(request) -> None:
    if not request.user.has_perm("champions.view_network"):
        raise PermissionDenied(
            "Only Locality’s network admins see every member council. Your council’s people "
            "see the councils that share their progress from your council’s overview."
        )


@require_GET
def network_dashboard(request):
    _require_network_admin(request)
    return _network_page(request, network_councils(), export_url=reverse("network:export"))


@require_GET
def network_export(request):
    _require_network_admin(request)
    table = _network_table(request, network_councils())
    return _csv_response(table, f"keep-it-local-network-{timezone.localdate().isoformat()}.csv")


@require_GET
def peer_network(request, council_slug: str):
    council = request.council
    export_url = reverse("champions:peers-export", kwargs={"council_slug": council.slug})
    return _network_page(
        request, peer_councils(council), export_url=export_url, own_council=council
    )


@require_GET
def peer_export(request, council_slug: str):
    table = _network_table(request, peer_councils(request.council))
    return _csv_response(table, f"keep-it-local-peers-{timezone.localdate().isoformat()}.csv")


def sharing(request, council_slug: str):
    council = request.council
    if not request.user.has_perm("champions.change_sharing", council):
        raise PermissionDenied("Only a council admin can choose what is shared with peer councils.")
    form = SharingForm(
        request.POST if request.method == "POST" else None,
        initial={"shares_with_peers": "yes" if council.shares_with_peers else "no"},
    )
    if request.method == "POST" and form.is_valid():
        shares = form.cleaned_data["shares_with_peers"]
        council_sharing_update(council=council, by=request.user, shares_with_peers=shares)
        messages.success(
            request,
            "Peer councils can now see your council’s progress."
            if shares
            else "Your council’s progress is no longer shared with peer councils.",
        )
        return redirect("champions:peers", council_slug=council.slug)
    return render(
        request,
        "champions/sharing_form.html",
        {
            "council": council,
            "form": form,
            "history": record_history(council, topics=["sharing"]),
        },
    )
