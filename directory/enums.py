"""Values of the national standard for places of digital mediation (shipped enumerations)."""

import json
from functools import cache
from pathlib import Path

from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.languages import Language as Language  # one list, read here too

ENUMS_FILE = (
    Path(__file__).resolve().parent.parent
    / "territory"
    / "data"
    / ("mediation_numerique_enums.json")
)


class Service(models.TextChoices):
    """The standard's `Service` values: our need categories."""

    EQUIPMENT_PURCHASE = (
        "Acquisition de matériel informatique à prix solidaire",
        "Acquisition de matériel informatique à prix solidaire",
    )
    ADMIN_PROCEDURES = "Aide aux démarches administratives", "Aide aux démarches administratives"
    EVERYDAY_TOOLS = (
        "Maîtrise des outils numériques du quotidien",
        "Maîtrise des outils numériques du quotidien",
    )
    EMPLOYMENT = (
        "Insertion professionnelle via le numérique",
        "Insertion professionnelle via le numérique",
    )
    SAFETY = "Utilisation sécurisée du numérique", "Utilisation sécurisée du numérique"
    PARENTING = (
        "Parentalité et éducation avec le numérique",
        "Parentalité et éducation avec le numérique",
    )
    LEISURE = "Loisirs et créations numériques", "Loisirs et créations numériques"
    UNDERSTANDING = "Compréhension du monde numérique", "Compréhension du monde numérique"
    ACCESS = "Accès internet et matériel informatique", "Accès internet et matériel informatique"


class SupportFormat(models.TextChoices):
    """The standard's `ModaliteAccompagnement`: how an advisor helps."""

    AUTONOMY = "En autonomie", "En autonomie"
    INDIVIDUAL = "Accompagnement individuel", "Accompagnement individuel"
    WORKSHOP = "Dans un atelier collectif", "Dans un atelier collectif"
    REMOTE = "À distance", "À distance"


class SpecificNeed(models.TextChoices):
    """The standard's `PriseEnChargeSpecifique`."""

    DEAFNESS = "Surdité", "Surdité"
    MOTOR = "Handicaps moteurs", "Handicaps moteurs"
    MENTAL = "Handicaps mentaux", "Handicaps mentaux"
    ILLITERACY = "Illettrisme", "Illettrisme"
    ENGLISH = "Langues étrangères (anglais)", "Langues étrangères (anglais)"
    OTHER_LANGUAGES = "Langues étrangères (autres)", "Langues étrangères (autres)"
    VISUAL = "Déficience visuelle", "Déficience visuelle"


class StructureKind(models.TextChoices):
    SOCIAL = "social", _("Structure sociale")
    MEDIATION = "mediation", _("Structure de médiation numérique")


@cache
def standard_enums():
    """{enumeration name: list of its values}, as shipped with the national standard."""
    return json.loads(ENUMS_FILE.read_text(encoding="utf-8"))["enums"]
