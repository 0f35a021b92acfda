import datetime

from django.core.management.base import BaseCommand, CommandError

from catalog.services import certificates_expire


class Command(BaseCommand):
    help = (
        "Daily: mark lapsed OCOP certificates expired and email the producers and staff about certificates "
        "ending within 90 days. Running it twice the same day changes nothing and sends nothing more."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD), e.g. to catch up.")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today takes a date as YYYY-MM-DD.") from None
        result = certificates_expire(today=today)
        self.stdout.write(f"{result['expired']} expired, {result['expiry_notices']} expiry notices sent.")
