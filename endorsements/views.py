from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from endorsements import services
from endorsements.forms import (
    DEFAULT_STATEMENT,
    DeclineForm,
    PrepareForm,
    SignForm,
    VerifyCodeForm,
    VerifyUploadForm,
    VoidForm,
)
from endorsements.models import Endorsement, Signatory
from endorsements.selectors import (
    council_endorsement,
    council_endorsements,
    endorsement_by_verification_code,
    endorsement_events,
    possible_signatories,
    signatory_of,
)
from endorsements.services import EventSource, SigningRefused
from endorsements.verification import verify_copy
from keepitlocal.models import Membership
from keepitlocal.selectors import decision_to_join

SIGNING_UNAVAILABLE = (
    "Signing is not available at the moment because the service's signing certificate is not"
    " set up. Nothing has been signed. Tell Locality's network admins."
)


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_GET
def index(request, council_slug: str):
    """The council's endorsement: the latest version first, then earlier ones."""
    council = request.council
    versions = list(council_endorsements(council))
    latest = versions[0] if versions else None
    return render(
        request,
        "endorsements/index.html",
        {
            "council": council,
            "latest": latest,
            "earlier": versions[1:],
            "my_signatory": signatory_of(latest, request.user) if latest else None,
            "has_decision": decision_to_join(council) is not None,
            "can_prepare": request.user.has_perm("endorsements.prepare", council),
        },
    )


def prepare(request, council_slug: str):
    """Prepare (or change) the draft: statement, signatories and how they sign."""
    council = request.council
    # The form is for those the service lets prepare; the service checks again on saving.
    services.require_may_prepare(council=council, by=request.user)
    if decision_to_join(council) is None:
        messages.info(request, "Record the decision to join before preparing the endorsement.")
        return redirect("decision", council_slug=council.slug)
    draft = (
        Endorsement.objects.filter(council=council, status__in=Endorsement.OPEN)
        .prefetch_related("signatories")
        .first()
    )
    if draft is not None and draft.status != Endorsement.Status.DRAFT:
        messages.info(
            request, "The endorsement is out for signature. Void it to prepare a new one."
        )
        return redirect("endorsements:detail", council_slug=council.slug, pk=draft.pk)
    memberships = list(possible_signatories(council))
    form = PrepareForm(
        request.POST if request.method == "POST" else None,
        memberships=memberships,
        initial=_prepare_initial(council, draft, memberships),
    )
    if request.method == "POST" and form.is_valid():
        try:
            endorsement = services.endorsement_prepare(
                council=council,
                by=request.user,
                source=EventSource.from_request(request),
                **form.service_values(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "The draft endorsement has been saved.")
            return redirect("endorsements:detail", council_slug=council.slug, pk=endorsement.pk)
    return render(
        request,
        "endorsements/prepare.html",
        {"council": council, "form": form, "draft": draft},
    )


def _prepare_initial(council, draft, memberships) -> dict:
    if draft is not None:
        people = [str(s.user_id) for s in draft.signatories.all()] + ["", "", ""]
        return {
            "statement": draft.statement,
            "first": people[0],
            "second": people[1],
            "third": people[2],
            "signing_order": draft.signing_order,
        }

    def first_with(role):
        return next((str(m.user_id) for m in memberships if m.role == role), "")

    return {
        "statement": DEFAULT_STATEMENT.format(council=council.name),
        "first": first_with(Membership.Role.LEAD_MEMBER),
        "second": first_with(Membership.Role.CHIEF_EXECUTIVE),
        "signing_order": Endorsement.SigningOrder.PARALLEL,
    }


@require_GET
def detail(request, council_slug: str, pk: int):
    council = request.council
    endorsement = council_endorsement(council, pk)
    return render(
        request,
        "endorsements/detail.html",
        {
            "council": council,
            "endorsement": endorsement,
            "doc": endorsement.content,
            "events": endorsement_events(endorsement),
            "my_signatory": signatory_of(endorsement, request.user),
            "can_prepare": request.user.has_perm("endorsements.prepare", council),
        },
    )


def send(request, council_slug: str, pk: int):
    council = request.council
    endorsement = council_endorsement(council, pk)  # another council's is a 404 first
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.endorsement_send_for_signature(
            endorsement=endorsement,
            by=request.user,
            source=EventSource.from_request(request),
            base_url=_base_url(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, "The endorsement has been sent for signature. Its content is now fixed."
        )
    return redirect("endorsements:detail", council_slug=council.slug, pk=pk)


def void(request, council_slug: str, pk: int):
    council = request.council
    endorsement = council_endorsement(council, pk)
    services.require_may_prepare(council=council, by=request.user)
    if endorsement.status != Endorsement.Status.SENT:
        messages.info(request, "Only an endorsement that is out for signature can be voided.")
        return redirect("endorsements:detail", council_slug=council.slug, pk=pk)
    form = VoidForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.endorsement_void(
                endorsement=endorsement,
                by=request.user,
                reason=form.cleaned_data["reason"],
                source=EventSource.from_request(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "The endorsement has been voided.")
            return redirect("endorsements:detail", council_slug=council.slug, pk=pk)
    return render(
        request,
        "endorsements/void.html",
        {"council": council, "endorsement": endorsement, "form": form},
    )


@never_cache
def sign(request, council_slug: str, pk: int):
    council = request.council
    endorsement = council_endorsement(council, pk)
    signatory = services.require_signatory(endorsement=endorsement, by=request.user)
    refusal = services.signing_refusal(endorsement, request.user)
    form = SignForm(
        request.POST if request.method == "POST" else None,
        signatory_name=signatory.name,
        initial={"document_sha256": endorsement.document_sha256},
    )
    if request.method == "GET" and refusal is None:
        services.endorsement_record_view(
            endorsement=endorsement, by=request.user, source=EventSource.from_request(request)
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.endorsement_sign(
                endorsement=endorsement,
                by=request.user,
                source=EventSource.from_request(request),
                base_url=_base_url(request),
                **form.service_values(),
            )
        except services.WrongPassword as exc:
            form.add_error("password", exc)
        except SigningRefused as exc:
            form.add_error(None, exc)
        except ImproperlyConfigured:
            form.add_error(None, SIGNING_UNAVAILABLE)
        else:
            messages.success(request, "You have signed the endorsement. Thank you.")
            return redirect("endorsements:detail", council_slug=council.slug, pk=pk)
    return render(
        request,
        "endorsements/sign.html",
        {
            "council": council,
            "endorsement": endorsement,
            "doc": endorsement.content,
            "signatory": signatory,
            "refusal": refusal,
            "form": form,
        },
    )


@never_cache
def decline(request, council_slug: str, pk: int):
    council = request.council
    endorsement = council_endorsement(council, pk)
    signatory = services.require_signatory(endorsement=endorsement, by=request.user)
    refusal = services.signing_refusal(endorsement, request.user)
    form = DeclineForm(
        request.POST if request.method == "POST" else None,
        initial={"document_sha256": endorsement.document_sha256},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.endorsement_decline(
                endorsement=endorsement,
                by=request.user,
                reason=form.cleaned_data["reason"],
                opened_sha256=form.cleaned_data["document_sha256"],
                source=EventSource.from_request(request),
            )
        except SigningRefused as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "You have declined to sign. The council admin has been told.")
            return redirect("endorsements:detail", council_slug=council.slug, pk=pk)
    return render(
        request,
        "endorsements/decline.html",
        {
            "council": council,
            "endorsement": endorsement,
            "signatory": signatory,
            "refusal": refusal,
            "form": form,
        },
    )


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(bytes(data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def document_pdf(request, council_slug: str, pk: int):
    """The document exactly as it was sent for signature (before any signature)."""
    endorsement = council_endorsement(request.council, pk)
    if endorsement.document_pdf is None:
        raise Http404("This endorsement has not been sent yet.")
    return _pdf_response(
        endorsement.document_pdf,
        f"{request.council.slug}-endorsement-v{endorsement.version}-as-sent.pdf",
    )


@require_GET
def signed_pdf(request, council_slug: str, pk: int):
    """Download PDF: the signed and sealed endorsement."""
    endorsement = council_endorsement(request.council, pk)
    if not endorsement.signed_pdf_sha256:
        raise Http404("This endorsement has not been signed by everyone yet.")
    # A completion package carries "...-signed.pdf" inside it: its own name differs.
    ending = "with-certificate" if endorsement.sealed_document_sha256 else "signed"
    return _pdf_response(
        endorsement.signed_pdf,
        f"{request.council.slug}-endorsement-v{endorsement.version}-{ending}.pdf",
    )


@login_not_required
def verify(request):
    """Verify an endorsement: anyone, signed in or not, checks a code or a copy of the PDF."""
    code_form = VerifyCodeForm(request.GET if "code" in request.GET else None)
    upload_form = VerifyUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    found = verification = None
    code_checked = False
    if code_form.is_bound and code_form.is_valid():
        code_checked = True
        found = endorsement_by_verification_code(code_form.cleaned_data["code"])
    if request.method == "POST" and upload_form.is_valid():
        verification = verify_copy(upload_form.cleaned_data["file"])
    return render(
        request,
        "endorsements/verify.html",
        {
            "code_form": code_form,
            "upload_form": upload_form,
            "form": upload_form if request.method == "POST" else code_form,
            "found": found,
            "code_checked": code_checked,
            "verification": verification,
            "signatory_status": Signatory.Status,
        },
    )
