from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from keepitlocal.forms import (
    CommunityConversationForm,
    DecisionToJoinForm,
    LocalPartnerForm,
    OutcomeToActionForm,
    SignInForm,
)
from keepitlocal.middleware import SESSION_KEY
from keepitlocal.selectors import (
    council_conversation,
    council_conversation_outcome,
    council_conversations,
    councils_visible_to,
    decision_to_join,
    memberships_of,
)
from keepitlocal.services import (
    community_conversation_record,
    conversation_outcome_to_action,
    decision_to_join_record,
    local_partner_add,
)


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


sign_in = login_not_required(SignInView.as_view())

LOCKED_OUT = (
    "You have entered the wrong password too many times. For your security this account is "
    "locked for 15 minutes. Wait, then sign in again; if you have forgotten your password, "
    "ask your council admin."
)


def signed_in_too_often(request, credentials, *args, **kwargs):
    """The sign-in page, refused, once a username has failed five times in 15 minutes (axes)."""
    from keepitlocal.audit import audit_record
    from keepitlocal.models import AuditEvent

    username = str((credentials or {}).get("username", "")) or request.POST.get("username", "")
    audit_record(kind=AuditEvent.Kind.LOCKED_OUT, request=request, username=username)
    form = SignInForm(request, initial={"username": username})
    return render(
        request,
        "registration/login.html",
        {"form": form, "next": request.POST.get("next", ""), "locked_out": LOCKED_OUT},
        status=429,
    )


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
        request.POST if request.method == "POST" else None,
        initial=DecisionToJoinForm.initial_from(existing),
    )
    if request.method == "POST" and form.is_valid():
        try:
            decision_to_join_record(
                council=council, by=request.user, is_first=existing is None, **form.cleaned_data
            )
        except ValidationError as refusal:  # someone else recorded it a moment before
            form.add_error(None, refusal)
            existing = decision_to_join(council)
        else:
            messages.success(request, "The decision to join has been saved.")
            return redirect("decision", council_slug=council.slug)
    return render(
        request,
        "keepitlocal/decision_form.html",
        {"council": council, "form": form, "is_new": existing is None},
    )


def _require_conversations(request) -> None:
    if not request.user.has_perm("keepitlocal.record_conversation", request.council):
        raise PermissionDenied("Your role in this council does not allow you to record this.")


@require_GET
def conversation_list(request, council_slug: str):
    return render(
        request,
        "keepitlocal/conversation_list.html",
        {
            "council": request.council,
            "conversations": council_conversations(request.council),
        },
    )


def conversation_add(request, council_slug: str):
    _require_conversations(request)
    council = request.council
    form = CommunityConversationForm(
        request.POST if request.method == "POST" else None, council=council
    )
    if request.method == "POST" and form.is_valid():
        conversation = community_conversation_record(
            council=council, by=request.user, **form.cleaned_data
        )
        messages.success(request, f"Conversation “{conversation.title}” recorded.")
        return redirect("conversation", council_slug=council.slug, pk=conversation.pk)
    return render(
        request,
        "keepitlocal/conversation_form.html",
        {"council": council, "form": form, "has_partners": council.local_partners.exists()},
    )


@require_GET
def conversation_detail(request, council_slug: str, pk: int):
    council = request.council
    conversation = council_conversation(council, pk)
    return render(
        request,
        "keepitlocal/conversation_detail.html",
        {"council": council, "conversation": conversation},
    )


def outcome_to_action(request, council_slug: str, pk: int, outcome_pk: int):
    council = request.council
    outcome = council_conversation_outcome(council, pk, outcome_pk)
    if not request.user.has_perm("principles.change_progress", council):
        raise PermissionDenied("Your role in this council does not allow you to add actions.")
    form = OutcomeToActionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        principle = form.cleaned_data["principle"]
        action = conversation_outcome_to_action(
            outcome=outcome, principle=principle, by=request.user
        )
        messages.success(request, f"Action “{action.title}” added to principle {principle.number}.")
        return redirect("conversation", council_slug=council.slug, pk=pk)
    return render(
        request,
        "keepitlocal/outcome_action_form.html",
        {"council": council, "outcome": outcome, "form": form},
    )


def partner_list(request, council_slug: str):
    council = request.council
    can_add = request.user.has_perm("keepitlocal.record_conversation", council)
    form = (
        LocalPartnerForm(request.POST if request.method == "POST" else None, council=council)
        if can_add
        else None
    )
    if request.method == "POST":
        _require_conversations(request)
        if form.is_valid():
            try:
                partner = local_partner_add(council=council, by=request.user, **form.cleaned_data)
            except ValidationError as refusal:  # added by someone else a moment before
                form.add_error(None, refusal)
            else:
                messages.success(request, f"{partner.name} added to your local partners.")
                return redirect("partners", council_slug=council.slug)
    return render(
        request,
        "keepitlocal/partner_list.html",
        {"council": council, "partners": council.local_partners.all(), "form": form},
    )
