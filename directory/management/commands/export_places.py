import sys

from django.core.management.base import BaseCommand

from directory import national


class Command(BaseCommand):
    help = (
        "Exporte les lieux de l'annuaire au format national (CSV UTF-8 avec BOM, séparateur "
        "« ; », ou JSON). Le fichier exporté se réimporte à l'identique."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--output", help="Fichier à écrire (sortie standard par défaut).")

    def handle(self, *args, **options):
        places = national.places_for_export()
        text = (
            national.export_json(places)
            if options["format"] == "json"
            else national.export_csv(places)
        )
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                out.write(text)
        else:
            sys.stdout.write(text)
