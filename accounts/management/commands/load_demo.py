from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Load the illustrative demo data (Sóc Trăng 2020). Each app with a `demo` module adds its part, "
        "in dependency order; running it again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even when DEMO_MODE is off.")

    def handle(self, *args, **options):
        if not settings.DEMO_MODE and not options["force"]:
            raise CommandError("DEMO_MODE is off: demo data is not loaded into this installation (use --force).")
        with transaction.atomic():
            for app_config in apps.get_app_configs():
                module_name = f"{app_config.name}.demo"
                if find_spec(module_name) is None:
                    continue
                summary = import_module(module_name).load()
                self.stdout.write(f"{app_config.label}: {summary}")
