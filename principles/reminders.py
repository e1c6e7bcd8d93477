"""Reminder emails for actions that are due soon or overdue."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from principles.models import Action, ActionReminder

REMIND_DAYS_AHEAD = 14


@dataclass
class ReminderRun:
    sent: int = 0
    already_sent_today: int = 0
    no_email: int = 0


def actions_needing_reminders(today: datetime.date):
    return (
        Action.objects.exclude(status=Action.Status.DONE)
        .filter(
            due_on__isnull=False, due_on__lte=today + datetime.timedelta(days=REMIND_DAYS_AHEAD)
        )
        .select_related("owner", "council", "principle")
        .order_by("due_on", "pk")
    )


def action_reminders_send(*, today: datetime.date, base_url: str = "") -> ReminderRun:
    """Email each owner of an action due within 14 days or overdue, once a day at most.

    The reminder row is written in the same transaction as the email is sent: if
    sending fails nothing is recorded, so the next run tries again; if the row
    already exists for today (another run got there first) no email goes.
    """
    run = ReminderRun()
    for action in actions_needing_reminders(today):
        email = action.owner.email if action.owner_id and action.owner.is_active else ""
        if not email:
            run.no_email += 1
            continue
        try:
            with transaction.atomic():
                ActionReminder.objects.create(action=action, sent_on=today, sent_to=email)
                _send(action, email, today, base_url)
        except IntegrityError:
            run.already_sent_today += 1
            continue
        run.sent += 1
    return run


def _send(action: Action, email: str, today: datetime.date, base_url: str) -> None:
    path = reverse(
        "principles:detail",
        kwargs={"council_slug": action.council.slug, "number": action.principle.number},
    )
    when = f"{action.due_on.day} {action.due_on:%B %Y}"
    state = "was due" if action.due_on < today else "is due"
    send_mail(
        subject=f"Keep it Local: “{action.title}” {state} on {when}",
        message=(
            f"Hello {action.owner.get_full_name() or action.owner.username},\n\n"
            f"The action “{action.title}” for {action.council.name}, on principle "
            f"{action.principle.number} ({action.principle.title}), {state} on {when}.\n\n"
            f"Update it here: {base_url}{path}\n\n"
            "You are getting this because you own the action in Keep it Local.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[email],
    )
