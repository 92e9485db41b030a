"""Working days in France: Monday to Friday, less the public holidays (the `holidays` package).

Deadlines (reminders, escalation, expiry) and the statistics' delays both count in these days.
"""

from datetime import date, timedelta
from functools import cache

import holidays
from django.db import models
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    """Days of the week as `date.weekday()` numbers them (0 is Monday), named in French.

    `code` is the day's two letters in the assessment's half-day codes ("tu-am").
    """

    MONDAY = 0, _("lundi")
    TUESDAY = 1, _("mardi")
    WEDNESDAY = 2, _("mercredi")
    THURSDAY = 3, _("jeudi")
    FRIDAY = 4, _("vendredi")
    SATURDAY = 5, _("samedi")
    SUNDAY = 6, _("dimanche")

    @property
    def code(self) -> str:
        return ("mo", "tu", "we", "th", "fr", "sa", "su")[self.value]

    @classmethod
    def from_code(cls, code: str) -> "Weekday | None":
        """The day of a half-day code's two letters ("tu" → Tuesday), None for an unknown one."""
        return next((day for day in cls if day.code == code), None)


PARTS_OF_DAY = {"am": _("matin"), "pm": _("après-midi")}


def half_day_label(code: str) -> str:
    """`mo-am` → « lundi matin »; an unknown code is printed as is."""
    day, _sep, part = str(code).partition("-")
    weekday = Weekday.from_code(day)
    if weekday is not None and part in PARTS_OF_DAY:
        return f"{weekday.label} {PARTS_OF_DAY[part]}"
    return str(code)


@cache
def _french_holidays(year, subdivision=None):
    return holidays.France(years=year, subdiv=subdivision)


def is_working_day(day: date, subdivision: str | None = None) -> bool:
    """`subdivision`: a département's own calendar (`Department.holidays`: Alsace-Moselle, the
    overseas départements), None for the national one."""
    return day.weekday() < 5 and day not in _french_holidays(day.year, subdivision)


def add_working_days(start: date, count: int, subdivision: str | None = None) -> date:
    """The date `count` working days after `start` (start itself not counted)."""
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, subdivision):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, subdivision: str | None = None) -> int:
    """Working days after `start` up to and including `end`; 0 when end <= start."""
    if end <= start:
        return 0
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if is_working_day(start + timedelta(days=offset), subdivision)
    )
