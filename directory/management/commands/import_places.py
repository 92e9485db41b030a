import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from directory import national


class Command(BaseCommand):
    help = (
        "Importe un fichier national des lieux de médiation numérique (CSV « ; » ou « , », ou "
        "JSON ; UTF-8 avec ou sans BOM). Sans --apply, ne fait que vérifier : chaque ligne est "
        "dite à créer, à mettre à jour, inchangée ou rejetée, avec la raison. Avec --apply, le "
        "fichier n'est appliqué que si aucune ligne n'est rejetée, en une seule fois. Les lignes "
        "d'autres départements que celui du territoire sont comptées et ignorées."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Chemin du fichier, ou « - » pour l'entrée standard.")
        parser.add_argument("--apply", action="store_true", help="Appliquer le fichier.")
        parser.add_argument(
            "--quiet-rows", action="store_true", help="Ne lister que les lignes rejetées."
        )

    def handle(self, *args, **options):
        path = options["file"]
        try:
            content = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"Fichier illisible : {error}") from error
        file_plan = national.plan(content, progress=self._progress)
        for error in file_plan.file_errors:
            self.stderr.write(self.style.ERROR(error))
        for row in file_plan.rows:
            if options["quiet_rows"] and row.action != national.REJECT:
                continue
            detail = "; ".join(row.errors) or ", ".join(row.changes)
            self.stdout.write(
                f"ligne {row.line} [{row.id}] {national.ACTION_LABELS[row.action]}"
                + (f" : {detail}" if detail else "")
            )
        counts = file_plan.counts
        summary = (
            f"{counts['create']} à créer, {counts['update']} à mettre à jour, "
            f"{counts['unchanged']} inchangées, {counts['reject']} rejetées."
        )
        self.stdout.write(summary)
        if file_plan.ignored:
            self.stdout.write(national.ignored_message(file_plan.ignored) + ".")
        if not options["apply"]:
            self.stdout.write("Vérification seulement : rien n'a été écrit (ajoutez --apply).")
            return
        if file_plan.file_errors:
            raise CommandError(f"Fichier refusé, rien n'a été écrit : {file_plan.file_errors[0]}")
        if not file_plan.can_apply:
            raise CommandError("Fichier refusé : des lignes sont rejetées, rien n'a été écrit.")
        created, updated = national.plan_apply(file_plan)
        self.stdout.write(self.style.SUCCESS(f"Appliqué : {created} créés, {updated} mis à jour."))

    def _progress(self, done, total):
        if total >= 1000:
            self.stderr.write(f"… {done} / {total} lignes vérifiées")
