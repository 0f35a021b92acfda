from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import LegacyWard, Province, Ward
from accounts.places import load_admin_units


class Command(BaseCommand):
    help = "Insert or update the provinces, wards and former wards from the installed vietnamadminunits."

    @transaction.atomic
    def handle(self, *args, **options):
        counts = load_admin_units(Province, Ward, LegacyWard)
        self.stdout.write(
            f"{counts['provinces']} provinces, {counts['wards']} wards, {counts['legacy_wards']} former wards."
        )
