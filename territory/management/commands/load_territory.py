from django.core.management.base import BaseCommand

from territory.services import territory_load


class Command(BaseCommand):
    help = "Charge les communes et EPCI du Lot livrés avec le projet (idempotent)."

    def handle(self, *args, **options):
        count = territory_load()
        self.stdout.write(f"{count} communes chargées.")
