"""Writes for endorsements: prepare, send, view, sign, decline, void, remind, expire.

Each service first checks that ``by`` may do it (PermissionDenied if not), so a
page, a command and a test are held to the same rule. Every change records its
signing event in the same transaction, so the audit trail and the endorsement
never disagree. Emails go after the transaction commits; queuing each one is
itself an event.
"""

import datetime
import ipaddress
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from endorsements import certificate, pdf
from endorsements.ca import issue_one_time_credential, signing_authority
from endorsements.models import Endorsement, Signatory, SigningEvent
from endorsements.selectors import (
    LOCKOUT_ATTEMPTS,
    VERIFICATION_ALPHABET,
    failed_signing_attempts,
    signing_locked_until,
)
from keepitlocal.models import Council, Membership, User
from keepitlocal.selectors import decision_to_join
from keepitlocal.writes import council_write
from principles.models import Principle

logger = logging.getLogger(__name__)

INTENT_STATEMENT = (
    "I have read this endorsement in full. I sign it electronically, as myself and in my role"
    " named on it, and I intend my electronic signature to have the same effect as my"
    " handwritten signature."
)
SIGNED_IN = "Signed in to Keep it Local with username and password"
PASSWORD_AT_SIGNING = "Signed in, and password re-entered at signing"  # noqa: S105
SERVICE = "Keep it Local service"


@dataclass(frozen=True)
class EventSource:
    """Where an action came from, as the audit trail records it."""

    ip_address: str | None = None
    user_agent: str = ""
    authentication: str = SERVICE

    @classmethod
    def from_request(cls, request, authentication: str = SIGNED_IN) -> "EventSource":
        address = request.META.get("REMOTE_ADDR", "")
        try:
            address = str(ipaddress.ip_address(address))
        except ValueError:
            address = None
        return cls(
            ip_address=address,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:1000],
            authentication=authentication,
        )

    def with_authentication(self, authentication: str) -> "EventSource":
        return EventSource(self.ip_address, self.user_agent, authentication)


class SigningRefused(ValidationError):
    """Signing or declining is not possible; the message says why, in plain English."""


class WrongPassword(SigningRefused):
    pass


class SigningLocked(SigningRefused):
    pass


class DocumentChanged(SigningRefused):
    pass


def _name_of(user) -> str:
    return user.get_full_name() or user.username


def _record(
    endorsement: Endorsement,
    kind: str,
    *,
    source: EventSource,
    actor=None,
    signatory: Signatory | None = None,
    detail: str = "",
    email_address: str = "",
    at: datetime.datetime | None = None,
) -> SigningEvent:
    """Append an event to the endorsement's audit trail (call inside a transaction).

    ``at`` is for an event whose instant is also written elsewhere (a signature's
    time); it must not be earlier than the event before it.
    """
    previous = (
        SigningEvent.objects.filter(endorsement=endorsement)
        .order_by("-at", "-pk")
        .values_list("event_hash", flat=True)
        .first()
    )
    event = SigningEvent(
        endorsement=endorsement,
        signatory=signatory,
        kind=kind,
        at=at or timezone.now(),
        actor=actor,
        actor_name=_name_of(actor) if actor is not None else "",
        ip_address=source.ip_address,
        user_agent=source.user_agent,
        authentication=source.authentication,
        document_sha256=endorsement.document_sha256,
        detail=detail,
        email_address=email_address,
        previous_hash=previous or "",
    )
    event.save()
    return event


PREPARE = "endorsements.prepare"
PREPARE_DENIED = "Only a council admin can prepare, send or void the endorsement."
# Being named as a signatory is what lets a person sign: the contract asks only that they are
# of the council, and the service then finds them among the signatories.
SIGN = "keepitlocal.view_council"


def require_may_prepare(*, council: Council, by: User) -> None:
    """Refuse anyone but the council's admins: only they prepare, send or void its endorsement."""
    if not by.has_perm("endorsements.prepare", council):
        raise PermissionDenied("Only a council admin can prepare, send or void the endorsement.")


def require_signatory(*, endorsement: Endorsement, by: User) -> Signatory:
    """The signatory entry of ``by``; refuse anyone else: nobody signs for someone else."""
    signatory = endorsement.signatories.filter(user=by).first()
    if signatory is None:
        raise PermissionDenied("You are not named to sign this endorsement.")
    return signatory


def _locked(endorsement: Endorsement) -> Endorsement:
    """The endorsement re-read under a row lock, so two signatures never interleave."""
    return Endorsement.objects.select_for_update().get(pk=endorsement.pk)


# Preparing and sending


def endorsement_prepare(
    *,
    council: Council,
    by: User,
    statement: str,
    signatories: list[User],
    signing_order: str,
    source: EventSource,
) -> Endorsement:
    """Create the council's draft endorsement, or change the draft it already has.

    ``signatories`` are users of the council, in signing order.
    """
    with council_write(by=by, council=council, permission=PREPARE, denied=PREPARE_DENIED) as write:
        return _prepare(write, council, by, statement, signatories, signing_order, source)


def _prepare(write, council, by, statement, signatories, signing_order, source) -> Endorsement:
    if decision_to_join(council) is None:
        raise ValidationError(
            "Record the council's decision to join before preparing the endorsement."
        )
    if not signatories:
        raise ValidationError("Name at least one person to sign.")
    if len({user.pk for user in signatories}) != len(signatories):
        raise ValidationError("Name each person only once.")
    roles = dict(
        Membership.objects.filter(council=council, user__in=signatories).values_list(
            "user_id", "role"
        )
    )
    if any(user.pk not in roles for user in signatories):
        raise ValidationError("Everyone who signs must be a person of this council.")
    Council.objects.select_for_update().filter(pk=council.pk).first()
    endorsement = (
        Endorsement.objects.select_for_update()
        .filter(council=council, status__in=Endorsement.OPEN)
        .first()
    )
    is_new = endorsement is None
    if not is_new:
        write.track(endorsement)
    if endorsement is not None and endorsement.status != Endorsement.Status.DRAFT:
        raise ValidationError(
            "The endorsement is already out for signature. Void it before preparing a new version."
        )
    if endorsement is None:
        latest = Endorsement.objects.filter(council=council).order_by("-version").first()
        endorsement = Endorsement(
            council=council, version=(latest.version + 1) if latest else 1, prepared_by=by
        )
    endorsement.statement = statement
    endorsement.signing_order = signing_order
    endorsement.prepared_by = by
    endorsement.full_clean()
    endorsement.save()
    endorsement.signatories.all().delete()
    Signatory.objects.bulk_create(
        Signatory(
            endorsement=endorsement,
            user=user,
            name=_name_of(user),
            role_title=Membership.Role(roles[user.pk]).label,
            position=position,
        )
        for position, user in enumerate(signatories, start=1)
    )
    _record(
        endorsement,
        SigningEvent.Kind.PREPARED,
        source=source,
        actor=by,
        detail="Signatories: " + "; ".join(_name_of(user) for user in signatories),
    )
    if is_new:
        write.added(endorsement)
    else:
        write.changed(endorsement)
    return endorsement


def _new_verification_code() -> str:
    while True:
        code = "".join(secrets.choice(VERIFICATION_ALPHABET) for _ in range(16))
        if not Endorsement.objects.filter(verification_code=code).exists():
            return code


def _content_snapshot(endorsement: Endorsement, *, verify_url: str) -> dict:
    decision = decision_to_join(endorsement.council)
    code = endorsement.verification_code
    return {
        "council": {"name": endorsement.council.name, "slug": endorsement.council.slug},
        "version": endorsement.version,
        "statement": endorsement.statement,
        "decision": {
            "decided_on": decision.decided_on.isoformat(),
            "decided_on_display": format_date(decision.decided_on, "j F Y"),
            "decision_maker": decision.decision_maker,
            "report_title": decision.report_title,
            "report_url": decision.report_url,
            "recommendations": list(decision.recommendations or []),
            "delegated_to": decision.delegated_to,
        },
        "principles": [
            {"number": p.number, "title": p.title, "summary": p.summary}
            for p in Principle.objects.order_by("number")
        ],
        "signatories": [
            {"position": s.position, "name": s.name, "role_title": s.role_title}
            for s in endorsement.signatories.order_by("position")
        ],
        "signing_order": endorsement.signing_order,
        "verification_code": code,
        "verification_code_display": endorsement.verification_code_display,
        "verify_url": verify_url,
    }


def endorsement_send_for_signature(
    *, endorsement: Endorsement, by: User, source: EventSource, base_url: str
) -> Endorsement:
    """Freeze the draft: render it, record its SHA-256, and ask the first signatories to sign."""
    with council_write(
        by=by, council=endorsement.council, permission=PREPARE, denied=PREPARE_DENIED
    ) as write:
        endorsement = _locked(endorsement)
        write.track(endorsement)
        if endorsement.status != Endorsement.Status.DRAFT:
            raise ValidationError("Only a draft can be sent for signature.")
        if decision_to_join(endorsement.council) is None:
            raise ValidationError("Record the council's decision to join before sending.")
        if not endorsement.signatories.exists():
            raise ValidationError("Name at least one person to sign.")
        now = timezone.now()
        endorsement.verification_code = _new_verification_code()
        verify_url = base_url + reverse("verify") + f"?code={endorsement.verification_code}"
        endorsement.content = _content_snapshot(endorsement, verify_url=verify_url)
        endorsement.document_pdf = pdf.render_document(endorsement.content)
        endorsement.document_sha256 = pdf.sha256_hex(endorsement.document_pdf)
        endorsement.sent_at = now
        endorsement.sent_by = by
        endorsement.expires_at = now + datetime.timedelta(days=settings.ENDORSEMENT_SIGNING_DAYS)
        endorsement.status = Endorsement.Status.SENT
        endorsement.save()
        _record(endorsement, SigningEvent.Kind.SENT, source=source, actor=by)
        write.changed(endorsement)
        _start_turns(endorsement, base_url=base_url)
    return endorsement


def _start_turns(endorsement: Endorsement, *, base_url: str) -> None:
    """Mark whose turn it is now and email them."""
    signatories = list(endorsement.signatories.order_by("position"))
    pending = [s for s in signatories if s.signed_at is None and s.declined_at is None]
    ordered = endorsement.signing_order == Endorsement.SigningOrder.ORDERED
    due = pending[:1] if ordered else pending
    for signatory in due:
        if signatory.status != Signatory.Status.TO_SIGN:
            signatory.status = Signatory.Status.TO_SIGN
            signatory.notified_at = timezone.now()
            signatory.save(update_fields=["status", "notified_at"])
            _email_signatory(endorsement, signatory, base_url=base_url, reminder=False)


def _email_signatory(
    endorsement: Endorsement, signatory: Signatory, *, base_url: str, reminder: bool
) -> None:
    sign_url = base_url + reverse(
        "endorsements:sign",
        kwargs={"council_slug": endorsement.council.slug, "pk": endorsement.pk},
    )
    subject = (
        f"Reminder: please sign the Keep it Local endorsement for {endorsement.council.name}"
        if reminder
        else f"Please sign the Keep it Local endorsement for {endorsement.council.name}"
    )
    body = render_to_string(
        "endorsements/email/please_sign.txt",
        {
            "endorsement": endorsement,
            "signatory": signatory,
            "sign_url": sign_url,
            "reminder": reminder,
        },
    )
    _email_after_commit(endorsement, signatory.user, subject, body, signatory=signatory)


def _email_after_commit(endorsement, user, subject: str, body: str, *, signatory=None) -> None:
    address = user.email
    endorsement_pk = endorsement.pk

    def send() -> None:
        record_for = Endorsement.objects.get(pk=endorsement_pk)
        if not address:
            with transaction.atomic():
                _record(
                    _locked(record_for),
                    SigningEvent.Kind.EMAIL_FAILED,
                    source=EventSource(),
                    signatory=signatory,
                    detail=f"{_name_of(user)} has no email address",
                )
            return
        try:
            send_mail(subject, body, None, [address])
        except Exception as exc:  # a mail failure must not undo the signing
            logger.warning("Could not queue email to %s: %s", address, exc)
            kind, detail = SigningEvent.Kind.EMAIL_FAILED, str(exc)
        else:
            kind, detail = SigningEvent.Kind.EMAIL_QUEUED, subject
        with transaction.atomic():
            # The address apart from the detail, so the audit trail's chain commits to it
            # like the other personal values and a published copy can leave it out.
            _record(
                _locked(record_for),
                kind,
                source=EventSource(),
                signatory=signatory,
                detail=detail,
                email_address=address,
            )

    transaction.on_commit(send)


def _email_council_admins(endorsement: Endorsement, subject: str, template: str, context) -> None:
    admins = {
        m.user
        for m in Membership.objects.filter(
            council=endorsement.council, role=Membership.Role.COUNCIL_ADMIN, user__is_active=True
        ).select_related("user")
    }
    admins.add(endorsement.prepared_by)
    body = render_to_string(template, {"endorsement": endorsement, **context})
    for user in sorted(admins, key=lambda u: u.pk):
        _email_after_commit(endorsement, user, subject, body)


# Signing


def endorsement_record_view(*, endorsement: Endorsement, by: User, source: EventSource) -> None:
    """Record that a signatory opened the document to sign it."""
    signatory = require_signatory(endorsement=endorsement, by=by)
    with transaction.atomic():
        endorsement = _locked(endorsement)
        if signatory.viewed_at is None:
            signatory.viewed_at = timezone.now()
            signatory.save(update_fields=["viewed_at"])
        _record(
            endorsement,
            SigningEvent.Kind.VIEWED,
            source=source,
            actor=by,
            signatory=signatory,
        )


def _signatory_may_act(endorsement: Endorsement, user, *, opened_sha256: str) -> Signatory:
    """The user's signatory entry if they may sign or decline now; otherwise why not."""
    now = timezone.now()
    signatory = endorsement.signatories.filter(user=user).first()
    if signatory is None:
        raise SigningRefused("You are not named to sign this endorsement.")
    if signatory.signed_at is not None:
        raise SigningRefused("You have already signed this endorsement.")
    if signatory.declined_at is not None:
        raise SigningRefused("You have already declined to sign this endorsement.")
    if endorsement.status == Endorsement.Status.DRAFT:
        raise SigningRefused("This endorsement has not been sent for signature yet.")
    if endorsement.status != Endorsement.Status.SENT:
        raise SigningRefused(
            f"This endorsement is {endorsement.get_status_display().lower()}, so it can no longer"
            " be signed."
        )
    if endorsement.expires_at and endorsement.expires_at <= now:
        raise SigningRefused("The time to sign this endorsement has run out.")
    if opened_sha256 != endorsement.document_sha256:
        raise DocumentChanged(
            "The endorsement has changed since you opened it. Nothing has been signed: read the"
            " current version and sign again."
        )
    if signatory.status != Signatory.Status.TO_SIGN:
        earlier = endorsement.signatories.filter(
            position__lt=signatory.position, signed_at__isnull=True
        ).first()
        waiting_for = f" {earlier.name} signs first." if earlier else ""
        raise SigningRefused(f"It is not your turn to sign yet.{waiting_for}")
    return signatory


def signing_refusal(endorsement: Endorsement, user) -> str | None:
    """Why ``user`` cannot sign or decline now (None if they can), before they fill anything in."""
    try:
        _signatory_may_act(endorsement, user, opened_sha256=endorsement.document_sha256)
    except SigningRefused as exc:
        return " ".join(exc.messages)
    return None


def _check_password(endorsement: Endorsement, user: User, password: str, source) -> None:
    """Refuse a locked-out person, or a wrong password (recorded as a failed attempt).

    The wrong passwords are counted under a lock on the person's row, and the
    password is checked while it is held: attempts made at the same moment are
    checked one after another, so no more than LOCKOUT_ATTEMPTS are ever checked
    in the window. The lock is the person's, not the endorsement's, since the
    count is theirs across every endorsement they sign.
    """
    attempts = 0
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
        locked_until = signing_locked_until(user)
        if locked_until is not None:
            raise SigningLocked(
                f"You entered a wrong password {LOCKOUT_ATTEMPTS} times, so signing is locked"
                f" until {timezone.localtime(locked_until):%H:%M}. Nothing has been signed."
            )
        if user.check_password(password):
            return
        locked = _locked(endorsement)
        signatory = locked.signatories.filter(user=user).first()
        _record(
            locked,
            SigningEvent.Kind.AUTH_FAILED,
            source=source,
            actor=user,
            signatory=signatory,
        )
        attempts = len(failed_signing_attempts(user))
        if attempts >= LOCKOUT_ATTEMPTS:
            _record(
                locked,
                SigningEvent.Kind.LOCKED_OUT,
                source=source,
                actor=user,
                signatory=signatory,
                detail=f"{attempts} wrong passwords in 15 minutes",
            )
    # Raised once the failed attempt is committed, so refusing does not undo its record.
    if attempts >= LOCKOUT_ATTEMPTS:
        raise SigningLocked(
            f"You entered a wrong password {LOCKOUT_ATTEMPTS} times, so signing is locked for 15"
            " minutes. Nothing has been signed."
        )
    left = LOCKOUT_ATTEMPTS - attempts
    raise WrongPassword(
        f"The password is not right. Nothing has been signed. You have {left}"
        f" {'try' if left == 1 else 'tries'} left before signing is locked for 15 minutes."
    )


def endorsement_sign(
    *,
    endorsement: Endorsement,
    by: User,
    password: str,
    typed_name: str,
    drawn_signature: bytes | None,
    opened_sha256: str,
    source: EventSource,
    base_url: str,
) -> Endorsement:
    """Sign as ``by``: re-check their password, then sign the PDF with a one-time key.

    The person has confirmed INTENT_STATEMENT (the form requires it); its text
    is recorded, and hashed, with the consent event. When the last signatory
    signs, the document is sealed and completed.
    """
    with council_write(by=by, council=endorsement.council, permission=SIGN):
        require_signatory(endorsement=endorsement, by=by)
        # Refuse early, before asking for the password, when nothing could be signed.
        _signatory_may_act(endorsement, by, opened_sha256=opened_sha256)
    # Checked and counted in a transaction of its own, so a wrong password is counted even
    # though nothing is signed.
    _check_password(endorsement, by, password, source)
    authority = signing_authority()
    source = source.with_authentication(PASSWORD_AT_SIGNING)
    with council_write(by=by, council=endorsement.council, permission=SIGN) as write:
        endorsement = _locked(endorsement)
        write.track(endorsement)
        signatory = _signatory_may_act(endorsement, by, opened_sha256=opened_sha256)
        _record(
            endorsement,
            SigningEvent.Kind.CONSENTED,
            source=source,
            actor=by,
            signatory=signatory,
            detail=INTENT_STATEMENT,
        )
        # One instant for the signature: its appearance, the signature's own time, the
        # signatory's record and the audit event all show this, to the second.
        signed_at = timezone.now()
        credential = issue_one_time_credential(
            authority,
            name=signatory.name,
            title=signatory.role_title,
            organisation=endorsement.council.name,
        )
        serial = format(credential.certificate.serial_number, "X")
        current = _current_pdf(endorsement)
        field_name = pdf.signatory_field(signatory.position)
        appearance = pdf.render_appearance(
            "endorsements/pdf/signature_appearance.html",
            {
                "signature": {
                    "name": signatory.name,
                    "role_title": f"{signatory.role_title}, {endorsement.council.name}",
                    "typed_name": typed_name,
                    "drawn": pdf.png_data_uri(drawn_signature),
                    "signed_at": signed_at,
                    "serial": serial,
                }
            },
            # The box the document was sent with, which is smaller in one sent before
            # the box grew, so the appearance is never shrunk into it.
            pdf.field_box(current, field_name),
        )
        signed = pdf.sign_field(
            current,
            field_name=field_name,
            credential=credential,
            authority=authority,
            appearance_pdf=appearance,
            reason=f"Endorsement signed by {signatory.name}, {signatory.role_title}",
            signer_name=signatory.name,
            signing_time=signed_at,
        )
        signatory.certificate_pem = credential.certificate_pem
        del credential  # the one-time key is never stored
        signatory.signed_at = signed_at
        signatory.typed_name = typed_name
        signatory.drawn_signature = drawn_signature
        signatory.pdf_after_signing = signed
        signatory.status = Signatory.Status.SIGNED
        signatory.save()
        _record(
            endorsement,
            SigningEvent.Kind.SIGNED,
            source=source,
            actor=by,
            signatory=signatory,
            at=signed_at,
            detail=f"Typed name “{typed_name}”"
            + ("; drawn signature" if drawn_signature else "")
            + f"; certificate {serial}",
        )
        if endorsement.signatories.filter(signed_at__isnull=True).exists():
            _start_turns(endorsement, base_url=base_url)
        else:
            _complete(endorsement, authority=authority)
            write.changed(endorsement)
    return endorsement


def _current_pdf(endorsement: Endorsement) -> bytes:
    """The latest revision: the last signature made, or the document as sent."""
    last = (
        endorsement.signatories.filter(signed_at__isnull=False)
        .order_by("-signed_at", "-pk")
        .values_list("pdf_after_signing", flat=True)
        .first()
    )
    return bytes(last if last is not None else endorsement.document_pdf)


def _complete(endorsement: Endorsement, *, authority) -> None:
    """Seal the fully signed endorsement, issue it in its completion package, close the request.

    The package, with the certificate of completion listing every event, is what
    is downloaded and checked from now on (docs/adr/0009).
    """
    completed_at = timezone.now()  # one instant: the event, both seals' times, their text
    _record(endorsement, SigningEvent.Kind.COMPLETED, source=EventSource(), at=completed_at)
    sealed = certificate.seal(
        endorsement=endorsement,
        signatories=list(endorsement.signatories.order_by("position")),
        signed_pdf=_current_pdf(endorsement),
        events=list(endorsement.events.select_related("signatory").order_by("at", "pk")),
        completed_at=completed_at,
        authority=authority,
    )
    endorsement.signed_pdf = sealed.package
    endorsement.signed_pdf_sha256 = pdf.sha256_hex(sealed.package)
    endorsement.signed_pdf_size = len(sealed.package)
    endorsement.sealed_document_sha256 = pdf.sha256_hex(sealed.document)
    endorsement.completed_at = completed_at
    endorsement.status = Endorsement.Status.COMPLETED
    endorsement.save()
    _email_council_admins(
        endorsement,
        f"The Keep it Local endorsement for {endorsement.council.name} is signed",
        "endorsements/email/completed.txt",
        {},
    )


def endorsement_decline(
    *, endorsement: Endorsement, by: User, reason: str, opened_sha256: str, source: EventSource
) -> Endorsement:
    """Decline to sign, with a reason. This ends the request for everyone."""
    with council_write(by=by, council=endorsement.council, permission=SIGN) as write:
        require_signatory(endorsement=endorsement, by=by)
        if not reason.strip():
            raise SigningRefused("Say why you are declining to sign.")
        endorsement = _locked(endorsement)
        write.track(endorsement)
        signatory = _signatory_may_act(endorsement, by, opened_sha256=opened_sha256)
        now = timezone.now()
        signatory.declined_at = now
        signatory.decline_reason = reason
        signatory.status = Signatory.Status.DECLINED
        signatory.save()
        endorsement.status = Endorsement.Status.DECLINED
        endorsement.ended_at = now
        endorsement.end_reason = reason
        endorsement.ended_by = by
        endorsement.save()
        _record(
            endorsement,
            SigningEvent.Kind.DECLINED,
            source=source,
            actor=by,
            signatory=signatory,
            detail=reason,
        )
        write.changed(endorsement, reason=reason.strip())
        _email_council_admins(
            endorsement,
            f"{signatory.name} declined to sign the Keep it Local endorsement",
            "endorsements/email/declined.txt",
            {"signatory": signatory, "reason": reason},
        )
    return endorsement


def endorsement_void(
    *, endorsement: Endorsement, by: User, reason: str, source: EventSource
) -> Endorsement:
    """End a request that is out for signature; a new version can then be prepared."""
    with council_write(
        by=by, council=endorsement.council, permission=PREPARE, denied=PREPARE_DENIED
    ) as write:
        if not reason.strip():
            raise ValidationError("Say why you are voiding the endorsement.")
        endorsement = _locked(endorsement)
        write.track(endorsement)
        if endorsement.status != Endorsement.Status.SENT:
            raise ValidationError("Only an endorsement that is out for signature can be voided.")
        endorsement.status = Endorsement.Status.VOIDED
        endorsement.ended_at = timezone.now()
        endorsement.end_reason = reason
        endorsement.ended_by = by
        endorsement.save()
        _record(endorsement, SigningEvent.Kind.VOIDED, source=source, actor=by, detail=reason)
        write.changed(endorsement, reason=reason.strip())
    return endorsement


def endorsement_send_reminders(*, base_url: str, now: datetime.datetime | None = None) -> dict:
    """Expire requests past their time, and remind whoever's turn it is every few days.

    The service itself runs this (a daily command), on no person's behalf, so
    there is no one whose permission to check.
    """
    now = now or timezone.now()
    expired = reminded = 0
    every = datetime.timedelta(days=settings.ENDORSEMENT_REMINDER_DAYS)
    for endorsement in Endorsement.objects.filter(status=Endorsement.Status.SENT).defer(
        "document_pdf", "signed_pdf"
    ):
        # The service itself, on no person's behalf: no permission to check, still recorded.
        with council_write(by=None, council=endorsement.council, permission=None) as write:
            endorsement = _locked(endorsement)
            if endorsement.status != Endorsement.Status.SENT:
                continue
            if endorsement.expires_at and endorsement.expires_at <= now:
                write.track(endorsement)
                endorsement.status = Endorsement.Status.EXPIRED
                endorsement.ended_at = now
                endorsement.end_reason = "Not signed by everyone in time"
                endorsement.save()
                write.changed(endorsement, reason=endorsement.end_reason)
                _record(endorsement, SigningEvent.Kind.EXPIRED, source=EventSource())
                _email_council_admins(
                    endorsement,
                    f"The Keep it Local endorsement for {endorsement.council.name} has expired",
                    "endorsements/email/expired.txt",
                    {},
                )
                expired += 1
                continue
            for signatory in endorsement.signatories.filter(status=Signatory.Status.TO_SIGN):
                last = signatory.last_reminded_at or signatory.notified_at or endorsement.sent_at
                if last is None or now - last < every:
                    continue
                signatory.last_reminded_at = now
                signatory.save(update_fields=["last_reminded_at"])
                _record(
                    endorsement,
                    SigningEvent.Kind.REMINDED,
                    source=EventSource(),
                    signatory=signatory,
                )
                _email_signatory(endorsement, signatory, base_url=base_url, reminder=True)
                reminded += 1
    return {"expired": expired, "reminded": reminded}
