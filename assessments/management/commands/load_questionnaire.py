from django.core.management.base import BaseCommand, CommandError

from assessments.services import QUESTIONNAIRE_V1, questionnaire_load_file
from pasip.errors import ApplicationError


class Command(BaseCommand):
    help = "Charge une version du questionnaire de diagnostic depuis un fichier JSON."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(QUESTIONNAIRE_V1))

    def handle(self, *args, path, **options):
        try:
            version = questionnaire_load_file(path)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"{version} chargée.")
