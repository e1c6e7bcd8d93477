from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from keepitlocal.forms import DecisionToJoinForm, SignInForm
from keepitlocal.middleware import SESSION_KEY
from keepitlocal.selectors import (
    council_commitment_checklist,
    councils_visible_to,
    decision_to_join,
    memberships_of,
)
from keepitlocal.services import decision_to_join_record


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


sign_in = login_not_required(SignInView.as_view())
sign_out = auth_views.LogoutView.as_view()


@require_GET
def home(request):
    """Send a person to the council they last opened, or let them choose one."""
    councils = councils_visible_to(request.user)
    last = request.session.get(SESSION_KEY)
    if last and councils.filter(slug=last).exists():
        return redirect("overview", council_slug=last)
    slugs = list(councils.values_list("slug", flat=True)[:2])
    if len(slugs) == 1:
        return redirect("overview", council_slug=slugs[0])
    return redirect("council-list")


@require_GET
def council_list(request):
    """Choose which council to work on (switching council)."""
    if request.user.is_network_admin:
        councils = [(council, None) for council in councils_visible_to(request.user)]
    else:
        councils = [(m.council, m.get_role_display()) for m in memberships_of(request.user)]
    return render(
        request,
        "keepitlocal/council_list.html",
        {"councils": councils, "current_slug": request.session.get(SESSION_KEY)},
    )


@require_GET
def overview(request, council_slug: str):
    decision = decision_to_join(request.council)
    return render(
        request,
        "keepitlocal/overview.html",
        {
            "council": request.council,
            "decision": decision,
            "checklist": council_commitment_checklist(request.council, decision),
            "today": timezone.localdate(),
        },
    )


@require_GET
def decision(request, council_slug: str):
    return render(
        request,
        "keepitlocal/decision_detail.html",
        {"council": request.council, "decision": decision_to_join(request.council)},
    )


def decision_edit(request, council_slug: str):
    council = request.council
    if not request.user.has_perm("keepitlocal.change_decision", council):
        raise PermissionDenied("Only a council admin can change the decision to join.")
    existing = decision_to_join(council)
    form = DecisionToJoinForm(
        request.POST or None, initial=DecisionToJoinForm.initial_from(existing)
    )
    if request.method == "POST" and form.is_valid():
        decision_to_join_record(council=council, by=request.user, **form.cleaned_data)
        messages.success(request, "The decision to join has been saved.")
        return redirect("decision", council_slug=council.slug)
    return render(
        request,
        "keepitlocal/decision_form.html",
        {"council": council, "form": form, "is_new": existing is None},
    )
