from django.core.management.base import BaseCommand

from catalog.services import catalogue_reindex, catalogue_reindex_later


class Command(BaseCommand):
    help = (
        "Rebuild every product's search document, after a change to the search configuration or its "
        "dictionary. Queued for a worker (queue `search`) unless --now; asking twice queues one job."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Rebuild here and now instead of queueing a job.")

    def handle(self, *args, **options):
        if options["now"]:
            self.stdout.write(f"{catalogue_reindex()} products reindexed.")
        elif catalogue_reindex_later():
            self.stdout.write("The reindex is queued for a worker (queue `search`).")
        else:
            self.stdout.write("A reindex is already waiting for a worker; nothing more was queued.")
