"""A reasonable check of the OpenStreetMap `opening_hours` syntax, as the national standard uses it.

Accepted: `24/7`; rules separated by `;` (or `||`), each an optional selector of weekdays and
public holidays (`Mo-Fr`, `Mo,We,Fr`, `PH`, `Sa[1]`), optionally preceded by months (`Jan-Jun`)
then time spans `HH:MM-HH:MM` separated by commas, or `off` / `closed`, with an optional
comment in quotes. Not every corner of the OSM grammar (week numbers, sunrise, date ranges with
days), which the national files do not use.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DAY = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:\[-?[1-5](?:-[1-5])?\])?"
DAY_RANGE = rf"(?:{DAY}(?:-{DAY})?|PH|SH)"
DAYS = rf"{DAY_RANGE}(?:,{DAY_RANGE})*"
MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
MONTHS = rf"{MONTH}(?:\s?\d{{1,2}})?(?:-{MONTH}(?:\s?\d{{1,2}})?)?(?:,{MONTH}(?:-{MONTH})?)*"
TIME = r"(?:[01]?\d|2[0-4]):[0-5]\d"
SPAN = rf"{TIME}-{TIME}\+?"
SPANS = rf"{SPAN}(?:\s*,\s*{SPAN})*"
COMMENT = r'"[^"]*"'
RULE = re.compile(
    rf"^(?:{MONTHS}\s+)?(?:{DAYS}(?::)?\s*)?"
    rf"(?:{SPANS}|off|closed|open)?(?:\s*{COMMENT})?$"
)
SPAN_RE = re.compile(rf"({TIME})-({TIME})")


def opening_hours_errors(value):
    """A list of French messages; empty when `value` is acceptable (blank is acceptable)."""
    value = (value or "").strip()
    if not value or value == "24/7":
        return []
    errors = []
    for raw in re.split(r";|\|\|", value):
        rule = raw.strip()
        if not rule:
            continue
        if not RULE.match(rule):
            errors.append(_("« %(rule)s » n'est pas une règle d'horaires valide.") % {"rule": rule})
            continue
        for start, end in SPAN_RE.findall(rule):
            if _minutes(start) > 24 * 60 or _minutes(end) > 24 * 60:
                errors.append(_("« %(rule)s » : heure impossible.") % {"rule": rule})
            elif _minutes(end) <= _minutes(start):
                errors.append(
                    _("« %(rule)s » : la fin (%(end)s) précède le début (%(start)s).")
                    % {"rule": rule, "start": start, "end": end}
                )
    return errors


def validate_opening_hours(value):
    errors = opening_hours_errors(value)
    if errors:
        raise ValidationError(
            [*errors, _("Exemple attendu : Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00")]
        )


def _minutes(text):
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)
