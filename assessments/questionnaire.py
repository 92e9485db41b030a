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
  "15/01/2027" in the pages, from today to two years ahead (a date limit already passed is
  refused: it would make every assessment urgent).

`definition_errors` checks a whole definition before it is stored (admin page, data file).
"""

import math
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

YES_NO = [{"value": "yes", "label": "Oui"}, {"value": "no", "label": "Non"}]
SCALE_VALUES = ["cannot", "with_help", "autonomous"]  # the mediators' 3-level autonomy scale
ANSWER_TYPES = ("skill", "yes_no", "choice", "multi", "number", "date")
DATE_HORIZON_YEARS = 2  # a date limit further ahead is a typing mistake


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

    def values(self, item):
        """The values an item with choices accepts (none for numbers and dates)."""
        return [choice["value"] for choice in self.choices(item)]

    def clean(self, item, raw, *, today=None):
        """The value to store for a raw answer (form text or JSON); ValueError in French.

        `today` (by default the local date) bounds the dates accepted.
        """
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
            return _clean_date(raw, today or timezone.localdate())
        if isinstance(raw, list | dict) or raw not in {c["value"] for c in self.choices(item)}:
            raise ValueError(_("Choisissez une des réponses proposées."))
        return raw

    def check(self, answers, *, complete_areas=(), today=None):
        """Cleaned answers and French errors by item key.

        Every answer given is checked; the items of `complete_areas` must all be answered
        (those asked given the other answers). An answer to an item this version does not
        have is an error, never silently kept. `today`: see `clean`.
        """
        today = today or timezone.localdate()
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
                    cleaned[key] = self.clean(item, raw, today=today)
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

    def first_incomplete_area(self, answers, *, today=None):
        """Index of the first area with an unanswered required item, or None when complete."""
        for index, area in enumerate(self.areas):
            _cleaned, errors = self.check(
                {k: answers[k] for k in answers if k in self.items},
                complete_areas=[area["key"]],
                today=today,
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


def _clean_date(raw, today):
    day = raw if isinstance(raw, date) else _parse_date(str(raw).strip())
    if day < today:
        raise ValueError(
            _(
                "Cette date est déjà passée : indiquez une date à venir. Si la démarche est en "
                "retard, répondez « Oui » à la question sur les droits qui risquent d'être "
                "suspendus."
            )
        )
    try:
        latest = today.replace(year=today.year + DATE_HORIZON_YEARS)
    except ValueError:  # from a 29 February
        latest = today.replace(year=today.year + DATE_HORIZON_YEARS, day=28)
    if day > latest:
        raise ValueError(
            _("Indiquez une date dans les deux ans à venir, au plus tard le %(date)s.")
            % {"date": latest.strftime("%d/%m/%Y")}
        )
    return day.isoformat()


def _parse_date(text):
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    parts = text.replace("-", "/").split("/")
    if len(parts) == 3 and all(part.isdigit() for part in parts):
        raise ValueError(_("Cette date n'existe pas : vérifiez le jour et le mois."))
    raise ValueError(_("Indiquez la date sous la forme jj/mm/aaaa, par exemple 15/01/2027."))


# --- Checking a definition -------------------------------------------------------------------

RESERVED_KEYS = {"version", "action", "step", "csrfmiddlewaretoken"}  # posted by the step form
CHOICE_TYPES = ("skill", "yes_no", "choice")  # one value: may carry points and urgency


def definition_errors(definition):
    """What is wrong with a questionnaire definition, as French sentences (empty when fine).

    Checked before a version is stored, so that a definition saved by hand can never break the
    assessments made on it: areas and items, answer types, the scale, need categories (the
    national standard's `Service` values), conditions between items, constraints, rules.
    """
    if not isinstance(definition, dict):
        return [_("La définition doit être un objet JSON (entre accolades).")]
    errors = []
    version = definition.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        errors.append(_("« version » doit être un nombre entier positif, par exemple 2."))
    areas = definition.get("areas")
    if not isinstance(areas, list) or not areas:
        errors.append(_("« areas » doit être une liste d'étapes, au moins une."))
        return errors
    items = _items_errors(areas, errors)
    if any(item.get("type") == "skill" for item in items.values()):
        _scale_errors(definition.get("scale"), errors)
    for item in items.values():
        _item_errors(definition, items, item, errors)
    _categories_errors(definition.get("categories", {}), errors)
    _rules_errors(definition.get("rules", {}), errors)
    _priority_rules_errors(definition.get("rules", {}), items, errors)
    return errors


def _items_errors(areas, errors):
    """Areas and item keys; returns the well-formed items by key."""
    items, area_keys = {}, set()
    for position, area in enumerate(areas, start=1):
        if not isinstance(area, dict):
            errors.append(_("L'étape n° %(n)s doit être un objet JSON.") % {"n": position})
            continue
        key = area.get("key")
        where = _("L'étape « %(key)s »") % {"key": key if _text(key) else position}
        if not _text(key) or key in area_keys:
            errors.append(
                _("%(where)s : une clé « key » unique est obligatoire.") % {"where": where}
            )
        else:
            area_keys.add(key)
        if not _text(area.get("title")):
            errors.append(_("%(where)s : un titre « title » est obligatoire.") % {"where": where})
        area_items = area.get("items")
        if not isinstance(area_items, list) or not area_items:
            errors.append(
                _("%(where)s : « items » doit lister au moins une question.") % {"where": where}
            )
            continue
        for item in area_items:
            item_key = item.get("key") if isinstance(item, dict) else None
            if not _text(item_key):
                errors.append(
                    _("%(where)s : chaque question doit avoir une clé « key ».") % {"where": where}
                )
            elif item_key in items:
                errors.append(
                    _("La clé de question « %(key)s » est en double.") % {"key": item_key}
                )
            elif item_key in RESERVED_KEYS:
                errors.append(
                    _("La clé de question « %(key)s » est réservée : choisissez-en une autre.")
                    % {"key": item_key}
                )
            else:
                items[item_key] = item
    return items


def _scale_errors(scale, errors):
    values = (
        [level.get("value") for level in scale if isinstance(level, dict)]
        if isinstance(scale, list)
        else []
    )
    labelled = isinstance(scale, list) and all(
        isinstance(level, dict) and _text(level.get("label")) for level in scale
    )
    if values != SCALE_VALUES or not labelled:
        errors.append(
            _(
                "« scale » doit donner les trois niveaux d'autonomie, dans cet ordre et chacun "
                "avec son libellé : %(values)s."
            )
            % {"values": ", ".join(SCALE_VALUES)}
        )


def _item_errors(definition, items, item, errors):
    def error(message, **values):
        errors.append(_("Question « %(key)s » : ") % {"key": item["key"]} + message % values)

    kind = item.get("type")
    if kind not in ANSWER_TYPES:
        error(
            _("type de réponse « %(type)s » inconnu ; types possibles : %(types)s."),
            type=kind,
            types=", ".join(ANSWER_TYPES),
        )
        return
    if not _text(item.get("label")):
        error(_("un libellé « label » est obligatoire."))
    for name in ("required", "not_applicable"):
        if not isinstance(item.get(name, False), bool):
            error(_("« %(name)s » vaut true ou false."), name=name)
    if kind in ("choice", "multi"):
        _choices_errors(item.get("choices"), error)
    if kind == "number":
        low, high = item.get("min"), item.get("max")
        if any(v is not None and not _number(v) for v in (low, high)) or (
            _number(low) and _number(high) and low > high
        ):
            error(_("« min » et « max » doivent être des nombres, « min » au plus égal à « max »."))
    values = _item_values(definition, item)
    category = item.get("category")
    if category is not None and (kind != "skill" or category not in _services()):
        error(
            _("« category » doit être un besoin du référentiel national (%(hint)s)."), hint=_hint()
        )
    _needs_errors(item, values, error)
    if "urgent_if" in item and (kind not in CHOICE_TYPES or item["urgent_if"] not in values):
        error(_("« urgent_if » doit être une des réponses de la question."))
    _show_if_errors(definition, items, item, error)
    _constraint_errors(item, values, error)


def _choices_errors(choices, error):
    if not isinstance(choices, list) or not choices:
        error(_("« choices » doit lister les réponses possibles."))
        return
    values = [choice.get("value") if isinstance(choice, dict) else None for choice in choices]
    labelled = all(isinstance(choice, dict) and _text(choice.get("label")) for choice in choices)
    if not all(_text(value) for value in values) or not labelled:
        error(
            _(
                "chaque réponse de « choices » doit avoir une valeur « value » et un "
                "libellé « label »."
            )
        )
    elif len(set(values)) != len(values):
        error(_("une valeur de « choices » est en double."))


def _item_values(definition, item):
    """The values an item accepts, read defensively from a definition not yet checked."""
    kind = item.get("type")
    if kind == "skill":
        scale = definition.get("scale") if isinstance(definition.get("scale"), list) else []
        values = [level.get("value") for level in scale if isinstance(level, dict)]
        return values + (["not_applicable"] if item.get("not_applicable") else [])
    if kind == "yes_no":
        return [choice["value"] for choice in YES_NO]
    choices = item.get("choices") if isinstance(item.get("choices"), list) else []
    return [choice.get("value") for choice in choices if isinstance(choice, dict)]


def _needs_errors(item, values, error):
    needs = item.get("needs")
    if needs is None:
        return
    if item.get("type") not in CHOICE_TYPES or not isinstance(needs, dict):
        error(
            _("« needs » ne va qu'avec une question à une seule réponse (skill, yes_no, choice).")
        )
        return
    for category, points in needs.items():
        if category not in _services():
            error(
                _(
                    "besoin « %(category)s » inconnu : choisissez un besoin du référentiel "
                    "national (%(hint)s)."
                ),
                category=category,
                hint=_hint(),
            )
        elif not isinstance(points, dict) or any(
            answer not in values or not _number(value) or value < 0
            for answer, value in points.items()
        ):
            error(
                _(
                    "les points de « %(category)s » doivent associer des réponses de la question "
                    "à des nombres positifs."
                ),
                category=category,
            )


def _show_if_errors(definition, items, item, error):
    condition = item.get("show_if")
    if condition is None:
        return
    key = condition.get("item") if isinstance(condition, dict) else None
    target = items.get(key) if isinstance(key, str) else None
    if target is None or target is item:
        error(_("« show_if » doit nommer une autre question du questionnaire dans « item »."))
    elif condition.get("equals") not in _item_values(definition, target):
        error(
            _("« show_if » : « equals » doit être une des réponses de la question « %(other)s »."),
            other=target["key"],
        )


def _constraint_errors(item, values, error):
    from .profile import Constraints  # the profile reads this module

    names = set(Constraints.__dataclass_fields__)
    name = item.get("constraint")
    if name is not None and name not in names:
        error(
            _("contrainte « %(name)s » inconnue ; contraintes possibles : %(names)s."),
            name=name,
            names=", ".join(sorted(names)),
        )
    if name == "specific_needs":
        from directory.enums import SpecificNeed

        if any(value not in SpecificNeed.values for value in values):
            error(_("les besoins particuliers doivent être ceux du référentiel national."))
    flags = item.get("constraint_flags")
    if flags is not None and (
        item.get("type") != "multi"
        or not isinstance(flags, dict)
        or any(choice not in values or flag not in names for choice, flag in flags.items())
    ):
        error(
            _(
                "« constraint_flags » associe des réponses de cette question à choix multiples "
                "à des contraintes connues."
            )
        )


def _categories_errors(categories, errors):
    if not isinstance(categories, dict):
        errors.append(_("« categories » doit associer des besoins à des mots simples."))
        return
    for category, words in categories.items():
        if category not in _services() or not _text(words):
            errors.append(
                _(
                    "« categories » : « %(category)s » n'est pas un besoin du référentiel national "
                    "avec ses mots simples."
                )
                % {"category": category}
            )


def _rules_errors(rules, errors):
    if not isinstance(rules, dict):
        errors.append(_("« rules » doit être un objet JSON."))
        return
    days = rules.get("urgent_within_days", 30)
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        errors.append(_("« urgent_within_days » doit être un nombre de jours positif."))
    thresholds = rules.get("priority_thresholds", [0.75, 0.4])
    if not (
        isinstance(thresholds, list)
        and len(thresholds) == 2
        and all(_number(t) for t in thresholds)
        and 0 < thresholds[1] <= thresholds[0] <= 1
    ):
        errors.append(
            _("« priority_thresholds » : deux seuils entre 0 et 1, le premier le plus haut.")
        )
    points = rules.get("skill_points", {})
    if not isinstance(points, dict) or any(
        value not in [*SCALE_VALUES, "not_applicable"] or not _number(number) or number < 0
        for value, number in points.items()
    ):
        errors.append(
            _("« skill_points » associe les niveaux de l'échelle à des nombres positifs.")
        )


def _priority_rules_errors(rules, items, errors):
    """The rules that make priorities discriminate (see `profile.needs_profile_compute`)."""
    if not isinstance(rules, dict):
        return
    if "priority_named_item" in rules:
        item = items.get(rules["priority_named_item"]) or {}
        choices = item.get("choices") if isinstance(item.get("choices"), list) else []
        if item.get("type") != "multi" or any(
            not isinstance(choice, dict) or choice.get("value") not in _services()
            for choice in choices
        ):
            errors.append(
                _(
                    "« priority_named_item » doit être une question à choix multiples dont "
                    "les réponses sont des besoins du référentiel national."
                )
            )
    listed = rules.get("priority_1_when_named_only", [])
    if not isinstance(listed, list) or any(category not in _services() for category in listed):
        errors.append(
            _(
                "« priority_1_when_named_only » doit lister des besoins du référentiel "
                "national (%(hint)s)."
            )
            % {"hint": _hint()}
        )


def _services():
    from directory.enums import Service

    return Service.values


def _hint():
    return _("par exemple « %(example)s »") % {"example": _services()[1]}


def _text(value):
    return isinstance(value, str) and bool(value.strip())


def _number(value):
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
