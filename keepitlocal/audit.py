"""The audit log: every sign-in, failed sign-in, lockout, sign-out and change of role.

Sign-ins come from Django's authentication signals, so the sign-in page and the admin's
are both covered. Role changes are recorded whenever a membership is saved or deleted, by
the admin, a command or a page, with the person who made the change when there is a
request (``AuditRequestMiddleware`` keeps it for the length of the request).
"""

from contextvars import ContextVar

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save

from keepitlocal.models import AuditEvent, Membership

_current_request: ContextVar = ContextVar("audit_request", default=None)
USER_AGENT_LENGTH = AuditEvent._meta.get_field("user_agent").max_length


class AuditRequestMiddleware:
    """Keeps the request while it is handled, so role changes know who made them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def client_ip(request) -> str | None:
    """The client's address: from the proxy's header when behind one, as axes reads it."""
    if request is None:
        return None
    ip = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")
    return ip or None


def audit_record(
    *,
    kind: str,
    request=None,
    user=None,
    username: str = "",
    council=None,
    role: str = "",
    previous_role: str = "",
    actor=None,
) -> AuditEvent:
    """Write one audit event, with the request's address and browser when there is one."""
    if request is None:
        request = _current_request.get()
    if actor is None and request is not None:
        person = getattr(request, "user", None)
        actor = person if person is not None and person.is_authenticated else None
    user_agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    return AuditEvent.objects.create(
        kind=kind,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        actor_username=actor.get_username() if actor is not None else "",
        council_slug=council.slug if council is not None else "",
        council_name=council.name if council is not None else "",
        role=role,
        previous_role=previous_role,
        ip_address=client_ip(request),
        user_agent=user_agent[:USER_AGENT_LENGTH],
    )


def _signed_in(sender, request, user, **kwargs) -> None:
    audit_record(kind=AuditEvent.Kind.SIGNED_IN, request=request, user=user, actor=user)


def _signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(kind=AuditEvent.Kind.SIGNED_OUT, request=request, user=user, actor=user)


def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))
    audit_record(
        kind=AuditEvent.Kind.SIGN_IN_FAILED, request=request, username=username, actor=None
    )


def _role_before(sender, instance, **kwargs) -> None:
    if instance.pk is None:
        instance._audit_previous_role = ""
        return
    previous = Membership.objects.filter(pk=instance.pk).values_list("role", flat=True).first()
    instance._audit_previous_role = previous or ""


def _role_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return  # loading a fixture records nothing
    previous = getattr(instance, "_audit_previous_role", "")
    if not created and previous == instance.role:
        return
    audit_record(
        kind=AuditEvent.Kind.ROLE_GRANTED if created else AuditEvent.Kind.ROLE_CHANGED,
        user=instance.user,
        council=instance.council,
        role=instance.role,
        previous_role="" if created else previous,
    )


def _role_removed(sender, instance, **kwargs) -> None:
    audit_record(
        kind=AuditEvent.Kind.ROLE_REMOVED,
        user=instance.user,
        council=instance.council,
        previous_role=instance.role,
    )


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="audit-signed-in")
    user_logged_out.connect(_signed_out, dispatch_uid="audit-signed-out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="audit-sign-in-failed")
    pre_save.connect(_role_before, sender=Membership, dispatch_uid="audit-role-before")
    post_save.connect(_role_saved, sender=Membership, dispatch_uid="audit-role-saved")
    post_delete.connect(_role_removed, sender=Membership, dispatch_uid="audit-role-removed")
