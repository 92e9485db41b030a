import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.data import demo_load
from referrals.models import ReferralState
from referrals.services import referral_deadlines_apply


class Command(BaseCommand):
    help = (
        "Charge des données de démonstration fictives pour le Lot (46) : structures, "
        "conseillers, comptes de démonstration, personnes et orientations. Sans effet la "
        "seconde fois. Avec --apply-deadlines, applique ensuite une fois les échéances des "
        "orientations (relances, signalements, expirations), comme le fait la tâche périodique."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=46, help="Graine du tirage aléatoire (46 par défaut)."
        )
        parser.add_argument(
            "--apply-deadlines",
            action="store_true",
            help=(
                "Applique une fois les échéances des orientations après le chargement (relances, "
                "signalements au coordinateur, expirations) : sans effet si rien n'est dû."
            ),
        )

    def handle(self, *args, **options):
        password = getattr(settings, "PASIP_DEMO_PASSWORD", None)
        if not password:
            raise CommandError(
                "Chargement refusé : le réglage PASIP_DEMO_PASSWORD n'est pas défini. "
                "Les comptes de démonstration n'existent qu'avec les réglages de développement "
                "ou de test (pasip.settings.dev, pasip.settings.test), jamais en production."
            )
        started = time.monotonic()
        summary = demo_load(password=password, seed=options["seed"])
        deadlines = referral_deadlines_apply() if options["apply_deadlines"] else None
        elapsed = time.monotonic() - started

        write = self.stdout.write
        write(self.style.SUCCESS(f"Données de démonstration du Lot chargées en {elapsed:.1f} s."))
        write(
            f"  Structures sociales : {summary['social_structures']} ; "
            f"structures de médiation : {summary['mediation_structures']} ; "
            f"lieux : {summary['places']}"
        )
        write(
            f"  Conseillers : {summary['advisors']} ; permanences : {summary['permanences']} ; "
            f"comptes : {summary['users']}"
        )
        write(f"  Personnes accompagnées : {summary['persons']}")
        by_state = ", ".join(
            f"{label.lower()} {summary['referrals_by_state'][value]}"
            for value, label in ReferralState.choices
            if summary["referrals_by_state"].get(value)
        )
        write(f"  Orientations : {summary['referrals']} ({by_state})")
        if not summary["created_referrals"]:
            write(
                "  Les personnes et orientations de démonstration existaient déjà : "
                "aucune n'a été ajoutée."
            )
        if deadlines is not None:
            write(
                f"  Échéances appliquées : {deadlines['reminder']} relance(s), "
                f"{deadlines['escalation']} signalement(s) au coordinateur, "
                f"{deadlines['expiry']} expiration(s), "
                f"{deadlines['meeting_reminder']} relance(s) de premier rendez-vous"
            )
        write("")
        write(f"Comptes de démonstration (mot de passe : {summary['password']}) :")
        for username, role, structure in summary["logins"]:
            where = f", {structure}" if structure else ""
            write(f"  {username:<20} {role}{where}")
