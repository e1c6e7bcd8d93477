"""Remind signatories whose turn it is, and expire requests that ran out of time.

Run it daily from cron, e.g. `python manage.py send_signing_reminders --base-url
https://your.service`: each signatory is reminded every few days
(ENDORSEMENT_REMINDER_DAYS) until they sign; a request older than
ENDORSEMENT_SIGNING_DAYS expires and its council admins are told.
"""

import datetime

from django.core.management.base import BaseCommand

from endorsements.services import endorsement_send_reminders


class Command(BaseCommand):
    help = "Email signing reminders and expire endorsement requests that ran out of time."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            required=True,
            help="the service's address, for links in emails, e.g. https://keepitlocal.example",
        )
        parser.add_argument(
            "--now",
            type=datetime.datetime.fromisoformat,
            default=None,
            help="act as if it were this time (ISO 8601 with a time zone); for testing",
        )

    def handle(self, *args, base_url, now, **options):
        result = endorsement_send_reminders(base_url=base_url.rstrip("/"), now=now)
        self.stdout.write(
            f"Sent {result['reminded']} reminder(s); expired {result['expired']} request(s)."
        )
