from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from territory.services import LOT_CODE, UnknownDepartment, territory_load


class Command(BaseCommand):
    help = (
        "Charge les communes et EPCI d'un ou plusieurs départements (idempotent). Sans code : "
        "celui de PASIP_DEPARTMENT_CODE (le Lot par défaut, depuis ses fichiers livrés avec le "
        "projet) ; avec des codes INSEE (46, 12, 2A, 971…) ou « all » : depuis les fichiers "
        "nationaux (territory/data/cog)."
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
        if not codes and settings.PASIP_DEPARTMENT_CODE != LOT_CODE:
            codes = [settings.PASIP_DEPARTMENT_CODE]  # the département this installation serves
        try:
            count = territory_load(codes or None)
        except UnknownDepartment as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{count} communes chargées.")
