"""Reading a questionnaire definition and checking answers against it. Pure: no database.

A definition (see `data/questionnaire_v1.json`) has `areas`, each with `items`. An item has a
`key`, a `type` and a `label`, and optionally `help`, `required` (default true), `show_if`
(asked only when another item has a given answer), the need category it feeds (`category`
for skills, `needs` for points per answer), `urgent_if`, and the constraint it fills
(`constraint`, or `constraint_flags` for multiple choices mapped to yes/no constraints).

Answer types and the value stored for each:
- `skill`: the 3-level scale, "cannot" / "with_help" / "autonomous" (and "not_applicable"
  when the item allows it);
- `yes_no`: "yes" / "no"; `choice`: one of the item's `choices`; `multi`: a list of them;
- `number`: a number within `min`..`max`; `date`: an ISO date ("2027-01-15"), typed
  "15/01/2027" in the pages.
"""

import math
from datetime import date, datetime

from django.utils.translation import gettext as _

YES_NO = [{"value": "yes", "label": "Oui"}, {"value": "no", "label": "Non"}]


class Questionnaire:
    def __init__(self, definition):
        self.definition = definition
        self.number = definition.get("version")
        self.areas = definition["areas"]
        self.items = {item["key"]: item for area in self.areas for item in area["items"]}
        self.rules = definition.get("rules", {})

    def area_items(self, area_key):
        return next(area["items"] for area in self.areas if area["key"] == area_key)

    def choices(self, item):
        """The (value, label) pairs an item accepts."""
        if item["type"] == "skill":
            choices = list(self.definition["scale"])
            if item.get("not_applicable"):
                label = self.definition.get("not_applicable_label", "Pas concerné")
                choices.append({"value": "not_applicable", "label": label})
            return choices
        if item["type"] == "yes_no":
            return YES_NO
        return item.get("choices", [])

    def is_asked(self, item, answers):
        condition = item.get("show_if")
        return not condition or answers.get(condition["item"]) == condition["equals"]

    def is_required(self, item, answers):
        return item.get("required", True) and self.is_asked(item, answers)

    def clean(self, item, raw):
        """The value to store for a raw answer (form text or JSON); ValueError in French."""
        kind = item["type"]
        if kind == "multi":
            values = raw if isinstance(raw, list | tuple) else [raw]
            allowed = {choice["value"] for choice in self.choices(item)}
            if any(isinstance(value, list | dict) or value not in allowed for value in values):
                raise ValueError(_("Choisissez parmi les réponses proposées."))
            return [choice["value"] for choice in self.choices(item) if choice["value"] in values]
        if kind == "number":
            return _clean_number(item, raw)
        if kind == "date":
            return _clean_date(raw)
        if isinstance(raw, list | dict) or raw not in {c["value"] for c in self.choices(item)}:
            raise ValueError(_("Choisissez une des réponses proposées."))
        return raw

    def check(self, answers, *, complete_areas=()):
        """Cleaned answers and French errors by item key.

        Every answer given is checked; the items of `complete_areas` must all be answered
        (those asked given the other answers). An answer to an item this version does not
        have is an error, never silently kept.
        """
        cleaned, errors = {}, {}
        for key, raw in answers.items():
            item = self.items.get(key)
            if item is None:
                errors[key] = _(
                    "Cette question ne fait pas partie de la version %(number)s du "
                    "questionnaire : rechargez le diagnostic."
                ) % {"number": self.number}
            elif not _is_blank(raw):
                try:
                    cleaned[key] = self.clean(item, raw)
                except ValueError as error:
                    errors[key] = str(error)
        for area in self.areas:
            if area["key"] not in complete_areas:
                continue
            for item in area["items"]:
                key = item["key"]
                if key not in cleaned and key not in errors and self.is_required(item, cleaned):
                    errors[key] = _missing_message(item)
        return {k: v for k, v in cleaned.items() if self.is_asked(self.items[k], cleaned)}, errors

    def first_incomplete_area(self, answers):
        """Index of the first area with an unanswered required item, or None when complete."""
        for index, area in enumerate(self.areas):
            _cleaned, errors = self.check(
                {k: answers[k] for k in answers if k in self.items}, complete_areas=[area["key"]]
            )
            if errors:
                return index
        return None

    def answer_label(self, item, value):
        """The answer as the social worker picked it, for the summary page."""
        if value is None or value == []:
            return _("Non renseigné") if item["type"] != "multi" else _("Aucun")
        if item["type"] == "number":
            return _("%(km)s km") % {"km": f"{value:g}"}
        if item["type"] == "date":
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        labels = {choice["value"]: choice["label"] for choice in self.choices(item)}
        if item["type"] == "multi":
            return ", ".join(labels[v] for v in value)
        return labels[value]


def _is_blank(raw):
    return raw is None or raw == [] or (isinstance(raw, str) and not raw.strip())


def _missing_message(item):
    if item["type"] in ("number", "date"):
        return _("Indiquez une réponse.")
    return _("Choisissez une réponse.")


def _clean_number(item, raw):
    try:
        number = float(str(raw).replace(",", ".").strip())
    except ValueError:
        raise ValueError(_("Indiquez un nombre, par exemple 10.")) from None
    low, high = item.get("min"), item.get("max")
    too_low = low is not None and number < low
    too_high = high is not None and number > high
    if not math.isfinite(number) or too_low or too_high:  # "nan" compares as neither
        raise ValueError(
            _("Indiquez un nombre entre %(min)s et %(max)s.") % {"min": low, "max": high}
        )
    return number


def _clean_date(raw):
    if isinstance(raw, date):
        return raw.isoformat()
    text = str(raw).strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    parts = text.replace("-", "/").split("/")
    if len(parts) == 3 and all(part.isdigit() for part in parts):
        raise ValueError(_("Cette date n'existe pas : vérifiez le jour et le mois."))
    raise ValueError(_("Indiquez la date sous la forme jj/mm/aaaa, par exemple 15/01/2027."))
