"""The words of the statistics: types of structure, age bands, support modes, delay
phases, months, filters."""

from django.utils.translation import gettext_lazy

from assessments.profile import SupportMode
from directory.models import Structure

TYPOLOGY_LABELS = {**dict(Structure.Typology.choices), "": "Non renseigné"}


AGE_LABELS = {
    "16-24": "16 à 24 ans",
    "25-44": "25 à 44 ans",
    "45-59": "45 à 59 ans",
    "60-74": "60 à 74 ans",
    "75+": "75 ans et plus",
    "": "Non renseigné",
}


SUPPORT_MODE_LABELS = {**dict(SupportMode.choices), "": "Non renseigné"}


DELAY_PHASES = {
    "answer": "De l'envoi à la réponse du conseiller",
    "meeting": "De l'envoi au premier rendez-vous",
    "closure": "De l'envoi à la clôture",
}


SPLIT_LABELS = {
    "epci": gettext_lazy("par EPCI"),
    "type": gettext_lazy("par type de structure"),
    "need": gettext_lazy("par besoin"),
}


def typology_label(code):
    return str(TYPOLOGY_LABELS.get(code, code))


def month_label(month):
    from django.utils.dateformat import format as date_format

    return date_format(month, "F Y").capitalize()
