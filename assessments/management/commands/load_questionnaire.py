from django.core.management.base import BaseCommand, CommandError

from assessments.services import questionnaire_load_file
from pasip.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Charge une version du questionnaire de diagnostic depuis un fichier JSON (sans "
        "fichier : toutes les versions livrées avec le produit), après l'avoir vérifiée."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=None)

    def handle(self, *args, path, **options):
        try:
            version = questionnaire_load_file(path)
        except OSError as error:
            raise CommandError(f"Fichier illisible : {error}") from error
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"{version} chargée.")
