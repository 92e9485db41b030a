from django.core.management.base import BaseCommand, CommandError

from territory.services import UnknownDepartment, territory_load


class Command(BaseCommand):
    help = (
        "Charge les communes et EPCI d'un ou plusieurs départements (idempotent). Sans code : "
        "le Lot, depuis les fichiers livrés avec le projet ; avec des codes INSEE (46, 12, 2A, "
        "971…) ou « all » : depuis les fichiers nationaux (territory/data/cog)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "codes",
            nargs="*",
            metavar="CODE",
            help="Code INSEE d'un département, ou « all » pour toute la France.",
        )

    def handle(self, *args, **options):
        codes = options["codes"]
        try:
            count = territory_load(codes or None)
        except UnknownDepartment as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{count} communes chargées.")
