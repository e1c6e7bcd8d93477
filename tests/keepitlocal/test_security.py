"""Sign-in throttling, the audit log, idle sessions, the admin, passwords and the CSP."""

import datetime
import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from keepitlocal.models import AuditEvent, Membership
from tests.factories import PASSWORD, CouncilFactory, MembershipFactory, UserFactory
from tests.html import page, text
from tests.urlconf import council_routes

pytestmark = pytest.mark.django_db
SIGN_IN = "/sign-in/"
BROWSER = "Mozilla/5.0 (council laptop)"


def _sign_in(client, username, password, **extra):
    return client.post(
        SIGN_IN,
        {"username": username, "password": password},
        HTTP_USER_AGENT=BROWSER,
        REMOTE_ADDR=extra.get("ip", "192.0.2.10"),
    )


def test_five_wrong_passwords_lock_the_account_for_15_minutes(client, officer):
    for _ in range(4):
        assert _sign_in(client, officer.username, "wrong").status_code == 200
    response = _sign_in(client, officer.username, "wrong")
    assert response.status_code == 429
    # Now even the right password is refused, with a message that says what to do.
    response = _sign_in(client, officer.username, PASSWORD)
    assert response.status_code == 429
    body = text(page(response))
    assert "locked for 15 minutes" in body and "ask your council admin" in body
    assert page(response).cssselect("title")[0].text_content().startswith("Error: ")
    assert "_auth_user_id" not in client.session
    # From another address too: it is the account that is locked.
    assert _sign_in(client, officer.username, PASSWORD, ip="198.51.100.7").status_code == 429

    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    response = _sign_in(client, officer.username, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_a_right_password_before_the_fifth_failure_starts_the_count_again(client, officer):
    for _ in range(4):
        _sign_in(client, officer.username, "wrong")
    assert _sign_in(client, officer.username, PASSWORD).status_code == 302
    client.post(reverse("sign-out"))
    for _ in range(4):
        assert _sign_in(client, officer.username, "wrong").status_code == 200
    assert _sign_in(client, officer.username, PASSWORD).status_code == 302


def test_guessing_many_usernames_from_one_address_is_stopped_too(client, officer):
    for number in range(5):
        _sign_in(client, f"guess{number}", "password")
    assert _sign_in(client, officer.username, PASSWORD).status_code == 429
    # Someone elsewhere is not affected.
    assert _sign_in(client, officer.username, PASSWORD, ip="198.51.100.7").status_code == 302


def test_sign_ins_failures_lockouts_and_sign_outs_are_in_the_audit_log(client, officer):
    _sign_in(client, officer.username, "wrong")
    _sign_in(client, officer.username, PASSWORD)
    client.post(reverse("sign-out"))
    for _ in range(5):
        _sign_in(client, "nobody-here", "wrong", ip="198.51.100.9")
    events = list(
        AuditEvent.objects.exclude(kind__startswith="role_").order_by("occurred_at", "pk")
    )
    kinds = [(event.kind, event.username) for event in events]
    assert kinds[:3] == [
        ("sign_in_failed", officer.username),
        ("signed_in", officer.username),
        ("signed_out", officer.username),
    ]
    assert kinds.count(("sign_in_failed", "nobody-here")) == 5
    assert ("locked_out", "nobody-here") in kinds
    first = events[0]
    assert (first.ip_address, first.user_agent) == ("192.0.2.10", BROWSER)
    assert events[-1].ip_address == "198.51.100.9"
    # Nobody's password is ever written down.
    assert not AuditEvent.objects.filter(username__contains="wrong").exists()


def test_every_role_change_is_in_the_audit_log_with_who_made_it(client, council, network_admin):
    person = UserFactory(username="sam-ellis")
    network_admin.is_staff = True
    network_admin.is_superuser = True
    network_admin.save()
    membership = Membership.objects.create(user=person, council=council, role="officer")
    granted = AuditEvent.objects.get(kind="role_granted")
    assert (granted.username, granted.council_name, granted.role) == (
        "sam-ellis",
        council.name,
        "officer",
    )
    assert granted.actor_username == ""  # made outside any request, e.g. by a command

    # A network admin changes the role in the admin.
    client.force_login(network_admin)
    url = reverse("admin:keepitlocal_user_change", args=[person.pk])
    form = page(client.get(url))
    data = {
        field.get("name"): field.get("value") or ""
        for field in form.cssselect("form#user_form input")
        if field.get("name") and field.get("type") not in {"checkbox", "submit"}
    }
    data.update(
        {
            "memberships-0-id": str(membership.pk),
            "memberships-0-user": str(person.pk),
            "memberships-0-council": str(council.pk),
            "memberships-0-role": "champion",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    changed = AuditEvent.objects.get(kind="role_changed")
    assert (changed.previous_role, changed.role, changed.actor_username) == (
        "officer",
        "champion",
        network_admin.username,
    )
    membership.refresh_from_db()
    membership.delete()
    removed = AuditEvent.objects.get(kind="role_removed")
    assert (removed.username, removed.previous_role) == ("sam-ellis", "champion")


def test_the_audit_log_survives_the_council_and_person_it_speaks_of(council):
    membership = MembershipFactory(council=council, role="officer")
    name = membership.user.username
    council.delete()
    membership.user.delete()
    assert AuditEvent.objects.filter(kind="role_removed", username=name).exists()
    assert AuditEvent.objects.filter(kind="role_granted", username=name).exists()


def test_an_idle_session_ends_after_an_hour(client, officer, council):
    client.force_login(officer)
    overview = f"/councils/{council.slug}/"
    assert client.get(overview).status_code == 200
    session = Session.objects.get()
    assert session.expire_date <= timezone.now() + datetime.timedelta(hours=1, seconds=5)
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(overview)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign-in"))


def test_activity_moves_the_session_expiry_on(client, officer, council, settings):
    settings.SESSION_ACTIVITY_RESOLUTION = 0
    client.force_login(officer)
    client.get(f"/councils/{council.slug}/")
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(minutes=2))
    client.get(f"/councils/{council.slug}/")
    assert Session.objects.get().expire_date > timezone.now() + datetime.timedelta(minutes=59)


def test_reading_pages_does_not_write_the_session_every_time(
    client, officer, council, django_assert_max_num_queries
):
    client.force_login(officer)
    url = f"/councils/{council.slug}/principles/"
    client.get(url)
    with django_assert_max_num_queries(20) as queries:
        client.get(url)
    assert not any("django_session" in q["sql"] and "UPDATE" in q["sql"] for q in queries)


@pytest.mark.parametrize("kind", ["staff council admin", "network admin without staff status"])
def test_the_django_admin_is_for_network_admins_only(client, council, kind):
    if kind == "staff council admin":
        person = MembershipFactory(council=council, role="council_admin").user
        person.is_staff = True
        person.is_superuser = True
    else:
        person = UserFactory(is_network_admin=True)
    person.save()
    client.force_login(person)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/keepitlocal/council/").status_code == 302


def test_a_network_admin_with_staff_status_opens_the_admin(client, network_admin):
    network_admin.is_staff = True
    network_admin.is_superuser = True
    network_admin.save()
    client.force_login(network_admin)
    assert client.get("/admin/").status_code == 200


def test_weak_passwords_are_refused_by_djangos_validators(client, network_admin):
    network_admin.is_staff = True
    network_admin.is_superuser = True
    network_admin.save()
    client.force_login(network_admin)
    for weak in ("password", "12345678", "newperson1", "short"):
        response = client.post(
            reverse("admin:keepitlocal_user_add"),
            {
                "username": "newperson1",
                "password1": weak,
                "password2": weak,
                "usable_password": "true",
            },
        )
        assert response.status_code == 200, weak
        assert b"errorlist" in response.content, weak
    assert not type(network_admin).objects.filter(username="newperson1").exists()


def test_every_page_sends_a_content_security_policy_without_inline_script(client, council):
    response = client.get(SIGN_IN)
    policy = response["Content-Security-Policy"]
    directives = dict(
        part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip()
    )
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(rb"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(rb"<[^>]+\sstyle\s*=", re.IGNORECASE)


def test_no_page_has_inline_script_or_style(client, council):
    """What the policy forbids is not there to be blocked: every page a council admin opens."""
    from keepitlocal.models import Membership as Role

    admin = MembershipFactory(council=council, role=Role.Role.COUNCIL_ADMIN).user
    client.force_login(admin)
    checked = 0
    for route in council_routes():
        # A council of its own for each page, as some records allow one a council.
        own = CouncilFactory()
        MembershipFactory(council=own, user=admin, role=Role.Role.COUNCIL_ADMIN)
        response = client.get(route.url(route.kwargs_for(own)))
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        checked += 1
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, INLINE_STYLE):
            found = pattern.search(response.content)
            assert found is None, (route.name, found and found.group(0)[:120])
    assert checked >= 30


def test_network_admins_read_the_audit_log_in_the_admin_but_cannot_change_it(
    client, network_admin, officer
):
    network_admin.is_staff = True
    network_admin.is_superuser = True
    network_admin.save()
    _sign_in(client, officer.username, "wrong")
    event = AuditEvent.objects.get(kind="sign_in_failed")
    client.force_login(network_admin)
    listing = client.get(reverse("admin:keepitlocal_auditevent_changelist"))
    assert listing.status_code == 200 and officer.username.encode() in listing.content
    assert client.get(reverse("admin:keepitlocal_auditevent_add")).status_code == 403
    delete = reverse("admin:keepitlocal_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    with pytest.raises(ValueError, match="never changed"):
        event.save()
