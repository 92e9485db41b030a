"""Values of the national standard for places of digital mediation (shipped enumerations)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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


class StructureKind(models.TextChoices):
    SOCIAL = "social", _("Structure sociale")
    MEDIATION = "mediation", _("Structure de médiation numérique")
