"""The statistics offered to the pages, the CSV and the API: the filters, the years with
referrals, an indicator's table for a filter (the rows or columns of the filtered EPCI, type or
need in the year's published tables: a filter never computes a new count).

Read-only: the year's tables are built in `builders` (its docstring says what can be subtracted
from what, and how the year's counts are protected together), labelled in `labels`, and
published, stored once per rebuild, in `publication`.
"""

from dataclasses import dataclass, replace

from django.core.cache import cache
from django.utils.translation import gettext as _

from territory.models import Epci

from .builders import INDICATORS, referral_years
from .labels import SPLIT_LABELS
from .publication import TABLE_CACHE_SECONDS, last_refresh, published_year


@dataclass(frozen=True)
class Filters:
    department: object
    year: int
    epci: Epci | None = None
    typology: str = ""
    need: str = ""

    @property
    def split(self):
        """The one dimension filtered on ("epci", "type", "need"), with its value, or None."""
        if self.epci:
            return ("epci", self.epci.pk)
        if self.typology:
            return ("type", self.typology)
        if self.need:
            return ("need", self.need)
        return None

    def as_json(self):
        return {
            "annee": self.year,
            "epci": self.epci.code if self.epci else None,
            "type": self.typology or None,
            "besoin": self.need or None,
        }


def available_years(department):
    """The calendar years with referrals, latest first; the current one when there are none.
    Read again only when the counts are rebuilt."""
    refresh = last_refresh()
    key = f"stats:years:{department.pk}:{refresh.pk if refresh else 0}"
    years = cache.get(key)
    if years is None:
        years = referral_years(department)
        cache.set(key, years, TABLE_CACHE_SECONDS)
    return years


def _kept(table, split):
    """The rows (or, for a need, the columns) of the filtered EPCI, type or need, totals kept."""
    dimension, value = split
    if dimension == "need" and table.column_keys and value in table.column_keys:
        index = table.column_keys.index(value)
        keep = [index, len(table.columns) - 1]
        return replace(
            table,
            columns=[table.columns[i] for i in keep],
            column_keys=[table.column_keys[i] for i in keep],
            rows=[replace(row, cells=[row.cells[i] for i in keep]) for row in table.rows],
            chart_column=0,
        )
    return replace(table, rows=[row for row in table.rows if row.total or row.key == value])


def _not_split(table, split):
    note = _(
        "Ce tableau porte sur tout le département : il ne se découpe pas %(split)s, pour qu'on "
        "ne puisse pas le retrancher du tableau de tout le département (secret statistique)."
    ) % {"split": SPLIT_LABELS[split[0]]}
    return replace(table, notes=[note, *table.notes], scope=note)


def indicator_table(slug, filters):
    table = published_year(filters.department, filters.year)[slug]
    split = filters.split
    if split is None:
        return table
    if split[0] in INDICATORS[slug][1]:
        return _kept(table, split)
    return _not_split(table, split)
