import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from principles.models import Action, ActionReminder
from tests.factories import ActionFactory, MembershipFactory


@pytest.fixture
def owner(council):
    return MembershipFactory(council=council, user__email="owner@example.org").user


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.mark.django_db
def test_owners_of_due_soon_and_overdue_actions_are_emailed(council, owner):
    ActionFactory(council=council, owner=owner, title="Overdue", due_on=days(-3))
    ActionFactory(council=council, owner=owner, title="Due soon", due_on=days(14))
    ActionFactory(council=council, owner=owner, title="Later", due_on=days(15))
    ActionFactory(council=council, owner=owner, title="Done", due_on=days(-3), status="done")
    ActionFactory(council=council, owner=None, owner_name="A partner", due_on=days(1))
    call_command("send_reminders", base_url="https://kil.example.org/")
    subjects = sorted(message.subject for message in mail.outbox)
    assert len(subjects) == 2
    assert "“Overdue” was due on" in subjects[1]
    assert "“Due soon” is due on" in subjects[0]
    assert all(message.to == ["owner@example.org"] for message in mail.outbox)
    assert f"https://kil.example.org/councils/{council.slug}/principles/3/" in mail.outbox[0].body


@pytest.mark.django_db
def test_running_twice_in_a_day_sends_no_duplicate(council, owner):
    ActionFactory(council=council, owner=owner, due_on=days(2))
    call_command("send_reminders")
    call_command("send_reminders")
    assert len(mail.outbox) == 1
    assert ActionReminder.objects.count() == 1


@pytest.mark.django_db
def test_a_failed_send_is_tried_again_next_run(council, owner, monkeypatch):
    ActionFactory(council=council, owner=owner, due_on=days(2))

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("principles.reminders.send_mail", broken)
    with pytest.raises(ConnectionRefusedError):
        call_command("send_reminders")
    assert not ActionReminder.objects.exists()
    monkeypatch.undo()
    call_command("send_reminders")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_next_day_reminds_again(council, owner, monkeypatch):
    action = ActionFactory(council=council, owner=owner, due_on=days(-1))
    ActionReminder.objects.create(action=action, sent_on=days(-1), sent_to=owner.email)
    call_command("send_reminders")
    assert len(mail.outbox) == 1
    assert Action.objects.get().reminders.count() == 2
