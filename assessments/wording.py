"""The assessment's answers and profile said plainly, for the advisor's page and the slip:
support mode, languages, spoken French, half-days available, and the constraints in short."""

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pasip.workdays import half_day_label

from .languages import Language
from .profile import SupportMode

__all__ = ["as_date", "constraint_lines", "french_level_label", "half_day_label", "language_label"]

# The questionnaire's answers about spoken French (`french_level`), said plainly.
FRENCH_LEVELS = {
    "fluent": gettext_lazy("à l'aise"),
    "basic": gettext_lazy("avec quelques difficultés"),
    "little": gettext_lazy("très peu ou pas du tout"),
}


def language_label(code):
    return str(Language(code).label) if code in Language.values else str(code)


def french_level_label(code):
    """`basic` → « avec quelques difficultés »; an unknown code is printed as is."""
    return str(FRENCH_LEVELS.get(code, code))


def constraint_lines(profile):
    """The assessment's constraints, one short line each, for the advisor's page."""
    lines = []
    mode = profile.get("support_mode")
    if mode in SupportMode.values:
        lines.append(_("Accompagnement : %(mode)s") % {"mode": SupportMode(mode).label})
    if profile.get("urgent"):
        lines.append(_("Urgent"))
    due = as_date(profile.get("due_date"))
    if due:
        lines.append(_("À faire avant le %(date)s") % {"date": due.strftime("%d/%m/%Y")})
    constraints = profile.get("constraints")
    if not isinstance(constraints, dict):
        return lines
    km = constraints.get("max_travel_km")
    if isinstance(km, int | float):
        lines.append(_("Se déplace jusqu'à %(km)s km") % {"km": f"{km:g}"})
    flags = {
        "has_car": _("A une voiture"),
        "uses_bus": _("Prend le bus"),
        "home_visit": _("Souhaite un rendez-vous à domicile"),
        "remote_phone": _("Accepte un accompagnement par téléphone"),
        "remote_video": _("Accepte un accompagnement en visio"),
    }
    lines.extend(str(label) for key, label in flags.items() if constraints.get(key) is True)
    languages = [language_label(code) for code in constraints.get("languages") or ()]
    if languages and languages != [language_label("fr")]:
        lines.append(_("Langues : %(languages)s") % {"languages": ", ".join(languages)})
    if constraints.get("french_level"):
        level = french_level_label(constraints["french_level"])
        lines.append(_("Parle français : %(level)s") % {"level": level})
    specific = [str(need) for need in constraints.get("specific_needs") or ()]
    if specific:
        lines.append(_("Besoins particuliers : %(needs)s") % {"needs": ", ".join(specific)})
    half_days = [half_day_label(code) for code in constraints.get("half_days") or ()]
    if half_days:
        lines.append(_("Disponible : %(half_days)s") % {"half_days": ", ".join(half_days)})
    return lines


def as_date(value):
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
