from django.core.management.base import BaseCommand, CommandError

from directory import national, services
from directory.models import DirectoryImport
from directory.sources import all_sources


class Command(BaseCommand):
    help = (
        "Récupère les lieux des sources en direct de l'annuaire (data·inclusion, La Coop de la "
        "médiation numérique) pour le département du territoire, les enregistre comme un import "
        "et les vérifie, comme un fichier déposé. Rien n'est appliqué : la coordination "
        "applique depuis la page des imports. Une source dont l'adresse n'est pas configurée "
        "n'est pas interrogée."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            action="append",
            choices=sorted(all_sources()),
            help=(
                "Ne récupérer que cette source (répétable). Par défaut : toutes celles configurées."
            ),
        )

    def handle(self, *args, **options):
        keys = options["source"]
        sources = all_sources()
        for key in keys or sources:
            if not sources[key].enabled():
                self.stdout.write(f"{sources[key].LABEL} : source désactivée, rien à récupérer.")
        imports = services.directory_sources_fetch(keys=keys)
        failed = False
        for upload in imports:
            label = upload.get_source_display()
            if upload.status == DirectoryImport.Status.FAILED:
                failed = True
                self.stderr.write(self.style.ERROR(f"{label} : {'; '.join(upload.file_errors)}"))
                continue
            counts = upload.counts
            summary = (
                f"{label} : import n° {upload.pk}, {upload.get_status_display().lower()} — "
                f"{counts.get('create', 0)} à créer, {counts.get('update', 0)} à mettre à jour, "
                f"{counts.get('unchanged', 0)} inchangées, {counts.get('reject', 0)} rejetées"
            )
            ignored = national.ignored_message(counts.get(national.IGNORED, 0))
            self.stdout.write(summary + (f", {ignored}" if ignored else "") + ".")
            for error in upload.file_errors:
                self.stderr.write(self.style.WARNING(f"{label} : {error}"))
        if failed:
            raise CommandError("Au moins une source n'a pas pu être récupérée.")
