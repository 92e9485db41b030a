"""The languages a person speaks and an advisor helps in (ISO 639-1 codes, and `lsf`): one
list, read by the questionnaire, the directory, the matching and the slip."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    """Languages a person speaks or an advisor helps in (ISO 639-1, and `lsf`)."""

    FRENCH = "fr", _("français")
    ENGLISH = "en", _("anglais")
    SPANISH = "es", _("espagnol")
    PORTUGUESE = "pt", _("portugais")
    ARABIC = "ar", _("arabe")
    TURKISH = "tr", _("turc")
    OCCITAN = "oc", _("occitan")
    GERMAN = "de", _("allemand")
    ITALIAN = "it", _("italien")
    DUTCH = "nl", _("néerlandais")
    UKRAINIAN = "uk", _("ukrainien")
    RUSSIAN = "ru", _("russe")
    FRENCH_SIGN = "lsf", _("langue des signes française")
