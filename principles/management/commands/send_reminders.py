from django.core.management.base import BaseCommand
from django.utils import timezone

from principles.reminders import action_reminders_send


class Command(BaseCommand):
    help = (
        "Email the owners of actions due within 14 days or overdue. Safe to run daily from cron: "
        "an action's owner gets at most one reminder a day."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="",
            help="The service's address for links in the email, e.g. https://keepitlocal.example.org",
        )

    def handle(self, *args, base_url: str, **options):
        run = action_reminders_send(today=timezone.localdate(), base_url=base_url.rstrip("/"))
        self.stdout.write(
            f"Sent {run.sent} reminders; {run.already_sent_today} already sent today; "
            f"{run.no_email} actions have no owner with an email address."
        )
