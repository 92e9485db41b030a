"""The statistics' tables, read from the pre-aggregated counts, with disclosure control applied.

Nothing here returns a row about a person. Every count goes through `disclosure`; every figure
derived from counts (a rate, a median, a sum) is computed from published cells only, so a page,
its CSV and the API show the same cells hidden for the same reasons.
"""

import hashlib
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max, Min, Sum
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from directory.enums import Service
from directory.models import UnmetNeed
from referrals.models import DeclineReason, Outcome, ReferralState
from territory.models import Commune, Epci

from .disclosure import Status, protected_cells, publish
from .models import (
    COUNT_KEYS,
    CommuneCube,
    ReferralCube,
    Refresh,
    StructureCube,
    count_column,
)


def threshold():
    return settings.PASIP_STATS_MIN_COUNT


TYPOLOGY_LABELS = {
    "MDS": "Maison des solidarités départementales",
    "CCAS": "Centre communal d'action sociale",
    "CIAS": "Centre intercommunal d'action sociale",
    "CAF": "Caisse d'allocations familiales",
    "MSA": "Mutualité sociale agricole",
    "CPAM": "Caisse primaire d'assurance maladie",
    "RFS": "France Services",
    "DEPT": "Département",
    "ASSO": "Association",
    "ML": "Mission locale",
    "BIB": "Bibliothèque, médiathèque",
    "ACI": "Atelier et chantier d'insertion",
    "ASE": "Aide sociale à l'enfance",
    "CAP_EMPLOI": "Cap emploi",
    "CD": "Conseil départemental",
    "CDAS": "Centre départemental d'action sociale",
    "CHRS": "Centre d'hébergement et de réinsertion sociale",
    "CIDFF": "Centre d'information sur les droits des femmes et des familles",
    "CMS": "Centre médico-social",
    "CS": "Centre social",
    "CSC": "Centre socioculturel",
    "EPCI": "Intercommunalité",
    "EPN": "Espace public numérique",
    "FT": "France Travail",
    "LA_POSTE": "La Poste",
    "MDE": "Maison de l'emploi",
    "MDPH": "Maison départementale des personnes handicapées",
    "MJC": "Maison des jeunes et de la culture",
    "MQ": "Maison de quartier",
    "MSAP": "Maison de services au public",
    "MUNI": "Mairie",
    "PIJ_BIJ": "Point information jeunesse",
    "PIMMS": "Point information médiation multi-services",
    "PJJ": "Protection judiciaire de la jeunesse",
    "PREF": "Préfecture, sous-préfecture",
    "SPIP": "Service pénitentiaire d'insertion et de probation",
    "TIERS_LIEUX": "Tiers-lieu",
    "UDAF": "Union départementale des associations familiales",
    "Autre": "Autre",
    "": "Non renseigné",
}
AGE_LABELS = {
    "16-24": "16 à 24 ans",
    "25-44": "25 à 44 ans",
    "45-59": "45 à 59 ans",
    "60-74": "60 à 74 ans",
    "75+": "75 ans et plus",
    "": "Non renseigné",
}
SUPPORT_MODE_LABELS = {
    "faire_pour": "Faire pour la personne",
    "faire_avec": "Faire avec la personne",
    "apprendre": "Apprendre à faire",
    "": "Non renseigné",
}
DELAY_PHASES = {
    "answer": "De l'envoi à la réponse du conseiller",
    "meeting": "De l'envoi au premier rendez-vous",
    "closure": "De l'envoi à la clôture",
}


def typology_label(code):
    return TYPOLOGY_LABELS.get(code, code)


# --- Filters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    department: object
    start: date | None = None  # first day of the first month
    end: date | None = None  # first day of the last month
    epci: Epci | None = None
    typology: str = ""
    need: str = ""

    def cube(self, model, *, per_need=False):
        """The filtered rows of a pre-aggregated table; `per_need`: the rows of each need."""
        rows = model.objects.filter(department=self.department)
        if per_need:
            rows = rows.exclude(need="").filter(**({"need": self.need} if self.need else {}))
        else:
            rows = rows.filter(need=self.need)
        if self.start:
            rows = rows.filter(month__gte=self.start)
        if self.end:
            rows = rows.filter(month__lte=self.end)
        if self.epci:
            rows = rows.filter(epci=self.epci)
        if self.typology:
            rows = rows.filter(typology=self.typology)
        return rows

    def as_key(self):
        """What tells two filterings apart, for the tables' cache."""
        return (
            self.department.pk,
            self.start or "",
            self.end or "",
            self.epci.pk if self.epci else "",
            self.typology,
            self.need,
        )

    def as_json(self):
        return {
            "du": f"{self.start:%Y-%m}" if self.start else None,
            "au": f"{self.end:%Y-%m}" if self.end else None,
            "epci": self.epci.code if self.epci else None,
            "type": self.typology or None,
            "besoin": self.need or None,
        }


# --- Tables -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A figure derived from published counts: a rate, a median; hidden when they are."""

    value: float | int | None
    display: str
    status: Status = Status.PUBLISHED

    @property
    def hidden(self):
        return self.status != Status.PUBLISHED

    @property
    def csv(self):
        return self.display

    def as_json(self):
        return {"value": self.value, "display": self.display, "status": str(self.status)}


HIDDEN_FIGURE = Figure(None, "secret", Status.SECONDARY)


@dataclass
class Row:
    label: str
    cells: list
    total: bool = False
    group: bool = False  # a sub-total heading the rows that follow (communes of an EPCI)


@dataclass
class StatTable:
    slug: str
    title: str
    row_header: str
    columns: list[str]
    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    chart_column: int | None = None  # the column drawn as bars, if any
    keys: list = field(default_factory=list)  # what each row is (an EPCI's id…), for linking

    def as_json(self):
        return {
            "slug": self.slug,
            "title": self.title,
            "row_header": self.row_header,
            "columns": self.columns,
            "rows": [
                {
                    "label": row.label,
                    "total": row.total,
                    "group": row.group,
                    "cells": [cell.as_json() for cell in row.cells],
                }
                for row in self.rows
            ],
            "notes": self.notes,
        }

    def csv_rows(self):
        yield [self.row_header, *self.columns]
        for row in self.rows:
            yield [row.label, *(cell.csv for cell in row.cells)]


def _two_way(row_labels, column_labels, counts, *, with_row_totals=True):
    """A grid of counts[(row, column)] with its totals, protected: (inner rows, total row)."""
    grid = [[counts.get((row, column), 0) for column in column_labels] for row in row_labels]
    if with_row_totals and len(column_labels) > 1:
        grid = [[*values, sum(values)] for values in grid]
    grid.append([sum(column) for column in zip(*grid, strict=True)] if grid else [])
    cells = protected_cells(
        grid,
        threshold=threshold(),
        row_totals=with_row_totals and len(column_labels) > 1,
        column_totals=True,
    )
    return cells[:-1], cells[-1]


def _table(slug, title, row_header, rows, columns, counts, *, total_label=None, **kwargs):
    """A protected table of counts: rows and columns as {key: label}."""
    inner, totals = _two_way(list(rows), list(columns), counts)
    column_labels = list(columns.values())
    if len(columns) > 1:
        column_labels.append(_("Total"))
    table_rows = [Row(label, cells) for label, cells in zip(rows.values(), inner, strict=True)]
    table_rows.append(Row(total_label or _("Total"), totals, total=True))
    return StatTable(slug, title, row_header, column_labels, table_rows, **kwargs)


def _states():
    return {state.value: state.label for state in ReferralState}


def _sum_counts(rows, group=None, prefixes=("state",)):
    """counts[(group value, count key)] summed by the database over the filtered cube rows."""
    keys = [key for key in COUNT_KEYS if key.split(":", 1)[0] in prefixes]
    sums = {f"sum_{count_column(key)}": Sum(count_column(key)) for key in keys}
    grouped = rows.order_by().values(group).annotate(**sums) if group else None
    counts = Counter()
    for result in grouped if group else [rows.aggregate(**sums)]:
        for key in keys:
            value = result[f"sum_{count_column(key)}"] or 0
            counts[(result[group] if group else None, key)] = value
    return counts


def _months(filters):
    if filters.start and filters.end:
        first, last = filters.start, filters.end
    else:
        bounds = filters.cube(ReferralCube).aggregate(first=Min("month"), last=Max("month"))
        first = filters.start or bounds["first"]
        last = filters.end or bounds["last"]
    months = []
    if first and last:
        month = first
        while month <= last:
            months.append(month)
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _month_label(month):
    from django.utils.dateformat import format as date_format

    return date_format(month, "F Y").capitalize()


def states_by_month(filters):
    counts = _sum_counts(filters.cube(ReferralCube), "month")
    months = {month: _month_label(month) for month in _months(filters)}
    states = _states()
    counts = {
        (month, state): counts[(month, f"state:{state}")] for month in months for state in states
    }
    return _table(
        "mois",
        _("Orientations par mois et par état"),
        _("Mois d'envoi"),
        months,
        states,
        counts,
        total_label=_("Total de la période"),
        notes=[_("État actuel des orientations envoyées chaque mois.")],
        chart_column=len(states),
    )


EPCI_COLUMNS = {
    "state:sent": ReferralState.SENT.label,
    "state:accepted": ReferralState.ACCEPTED.label,
    "declined:no_capacity": "Refusée : pas de disponibilité",
    "declined:other": "Refusée : autre motif",
    "state:in_progress": ReferralState.IN_PROGRESS.label,
    "state:completed": ReferralState.COMPLETED.label,
    "state:failed": ReferralState.FAILED.label,
    "state:expired": ReferralState.EXPIRED.label,
    "state:cancelled": ReferralState.CANCELLED.label,
}


def _epcis(filters):
    epcis = Epci.objects.filter(department=filters.department)
    if filters.epci:
        epcis = epcis.filter(pk=filters.epci.pk)
    return list(epcis.order_by("name"))


def states_by_epci(filters):
    raw = _sum_counts(filters.cube(ReferralCube), "epci_id", prefixes=("state", "decline"))
    epcis = _epcis(filters)
    counts = {}
    for epci in epcis:
        no_capacity = raw[(epci.pk, f"decline:{DeclineReason.NO_CAPACITY}")]
        for column in EPCI_COLUMNS:
            counts[(epci.pk, column)] = raw[(epci.pk, column)]
        counts[(epci.pk, "declined:no_capacity")] = no_capacity
        counts[(epci.pk, "declined:other")] = raw[(epci.pk, "state:declined")] - no_capacity
    table = _table(
        "epci",
        _("Orientations par EPCI et par état"),
        _("EPCI de résidence"),
        {epci.pk: epci.name for epci in epcis},
        EPCI_COLUMNS,
        counts,
        notes=[_("Selon la commune de résidence de la personne orientée.")],
        chart_column=len(EPCI_COLUMNS),
    )
    table.keys = [epci.pk for epci in epcis]
    return table


def states_by_typology(filters):
    counts = _sum_counts(filters.cube(ReferralCube), "typology")
    typologies = sorted({typology for typology, _name in counts}, key=typology_label)
    states = _states()
    return _table(
        "structures",
        _("Orientations par type de structure orienteuse et par état"),
        _("Type de structure"),
        {typology: typology_label(typology) for typology in typologies},
        states,
        {(t, s): counts[(t, f"state:{s}")] for t in typologies for s in states},
        chart_column=len(states),
    )


def states_by_need(filters):
    counts = _sum_counts(filters.cube(ReferralCube, per_need=True), "need")
    needs = [service for service in Service if not filters.need or service == filters.need]
    states = _states()
    return _table(
        "besoins",
        _("Orientations par besoin et par état"),
        _("Besoin"),
        {need.value: need.label for need in needs},
        states,
        {(n.value, s): counts[(n.value, f"state:{s}")] for n in needs for s in states},
        total_label=_("Total des besoins"),
        notes=[_("Une orientation peut porter sur plusieurs besoins : elle compte pour chacun.")],
        chart_column=len(states),
    )


def _one_way(slug, title, row_header, prefix, labels, filters, column, notes=()):
    """Counts of one kind: age band, support mode, decline reason or outcome."""
    counts = _sum_counts(filters.cube(ReferralCube), prefixes=(prefix,))
    return _table(
        slug,
        title,
        row_header,
        labels,
        {"n": column},
        {(key, "n"): counts[(None, f"{prefix}:{key}")] for key in labels},
        notes=list(notes),
        chart_column=0,
    )


def by_age_band(filters):
    return _one_way(
        "ages",
        _("Orientations par tranche d'âge"),
        _("Âge à l'envoi"),
        "age",
        AGE_LABELS,
        filters,
        _("Orientations"),
    )


def by_support_mode(filters):
    return _one_way(
        "accompagnement",
        _("Orientations par mode d'accompagnement"),
        _("Mode d'accompagnement (diagnostic)"),
        "mode",
        SUPPORT_MODE_LABELS,
        filters,
        _("Orientations"),
        notes=[_("« Non renseigné » : orientation sans diagnostic, ou diagnostic sans mode.")],
    )


def decline_reasons(filters):
    return _one_way(
        "refus",
        _("Motifs de refus"),
        _("Motif"),
        "decline",
        {reason.value: reason.label for reason in DeclineReason},
        filters,
        _("Orientations refusées"),
    )


def closure_outcomes(filters):
    return _one_way(
        "issues",
        _("Issues des accompagnements clôturés"),
        _("Issue"),
        "outcome",
        {outcome.value: outcome.label for outcome in Outcome},
        filters,
        _("Orientations terminées ou non abouties"),
    )


def _percentile(histogram, share):
    """Nearest-rank percentile of {days: referrals}."""
    total = sum(histogram.values())
    rank = max(1, math.ceil(share * total))
    seen = 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= rank:
            return days
    return None


def _days(value):
    return Figure(value, f"{value} j. ouvré" + ("s" if value > 1 else ""))


def _delay_histograms(rows):
    """{phase: {working days: referrals}} summed by the database from the cube's JSON."""
    sql, params = rows.order_by().values("delays").query.sql_with_params()
    if connection.vendor == "postgresql":
        expand = "jsonb_each(c.delays) phase, jsonb_each_text(phase.value) days"
    else:
        expand = "json_each(c.delays) phase, json_each(phase.value) days"
    histograms = defaultdict(Counter)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT phase.key, days.key, SUM(CAST(days.value AS INTEGER)) "  # noqa: S608 (the ORM's SQL)
            f"FROM ({sql}) c, {expand} GROUP BY phase.key, days.key",
            params,
        )
        for phase, days, referrals in cursor.fetchall():
            histograms[phase][int(days)] += referrals
    return histograms


def delays(filters):
    histograms = _delay_histograms(filters.cube(ReferralCube))
    rows = []
    for phase, label in DELAY_PHASES.items():
        histogram = histograms[phase]
        referrals = publish(sum(histogram.values()), threshold())
        if referrals.hidden or not referrals.value:
            figures = [HIDDEN_FIGURE if referrals.hidden else Figure(None, "—")] * 2
        else:
            figures = [_days(_percentile(histogram, 0.5)), _days(_percentile(histogram, 0.9))]
        rows.append(Row(label, [referrals, *figures]))
    return StatTable(
        "delais",
        _("Délais en jours ouvrés"),
        _("Délai"),
        [_("Orientations concernées"), _("Médiane"), _("90e centile")],
        rows,
        notes=[
            _(
                "Jours ouvrés : du lundi au vendredi, hors jours fériés. Médiane et 90e centile "
                "publiés seulement quand au moins %(n)s orientations sont concernées. Les "
                "orientations de personnes dont les données ont été effacées n'y figurent pas "
                "(leurs dates ne sont gardées qu'au mois)."
            )
            % {"n": threshold()}
        ],
    )


def active_structures(filters):
    counts = dict(
        filters.cube(StructureCube)
        .values_list("month")
        .annotate(structures=Count("structure_id", distinct=True))
    )
    months = _months(filters)
    rows = [
        Row(_month_label(month), [publish(counts.get(month, 0), threshold())]) for month in months
    ]
    return StatTable(
        "structures-actives",
        _("Structures ayant orienté au moins une personne, par mois"),
        _("Mois"),
        [_("Structures actives")],
        rows,
        notes=[_("Le même seuil de publication s'applique aux structures.")],
        chart_column=0,
    )


def by_commune(filters, epci_table=None):
    """Communes grouped under their EPCI, whose sub-total is hidden exactly as in `epci`."""
    epci_table = epci_table or states_by_epci(filters)
    epci_totals = {
        key: row.cells[-1] for key, row in zip(epci_table.keys, epci_table.rows, strict=False)
    }
    counts = dict(
        filters.cube(CommuneCube).values_list("commune_id").annotate(referrals=Sum("referrals"))
    )
    communes = defaultdict(list)
    for commune in Commune.objects.filter(pk__in=counts).order_by("name"):
        communes[commune.epci_id].append(commune)
    rows = []
    for epci in _epcis(filters):
        members = communes.get(epci.pk, [])
        subtotal = epci_totals[epci.pk]
        grid = [[counts[commune.pk]] for commune in members] + [
            [sum(counts[commune.pk] for commune in members)]
        ]
        forced = [(len(members), 0)] if subtotal.hidden else []
        cells = protected_cells(
            grid, threshold=threshold(), row_totals=False, column_totals=True, forced=forced
        )
        rows.append(Row(epci.name, [subtotal], group=True))
        rows += [Row(commune.name, row) for commune, row in zip(members, cells, strict=False)]
    rows.append(Row(_("Total"), [epci_table.rows[-1].cells[-1]], total=True))
    return StatTable(
        "communes",
        _("Orientations par commune de résidence"),
        _("EPCI, puis commune"),
        [_("Orientations")],
        rows,
        notes=[
            _("Les communes sans orientation sur la période ne sont pas listées."),
            _("Chaque EPCI est suivi de ses communes ; son total est celui du tableau par EPCI."),
        ],
    )


def unmet_needs(filters):
    """Needs with no advisor within reach, recorded when suggestions were computed, by EPCI."""
    rows = UnmetNeed.objects.filter(commune__department=filters.department)
    if filters.start:
        rows = rows.filter(month__gte=filters.start)
    if filters.end:
        rows = rows.filter(month__lte=filters.end)
    if filters.epci:
        rows = rows.filter(commune__epci=filters.epci)
    if filters.need:
        rows = rows.filter(category=filters.need)
    counts = dict(rows.values_list("commune__epci_id").annotate(needs=Count("pk")))
    epcis = _epcis(filters)
    table = _table(
        "sans-conseiller",
        _("Besoins sans conseiller à portée, par EPCI"),
        _("EPCI de résidence"),
        {epci.pk: epci.name for epci in epcis},
        {"n": _("Besoins sans conseiller à portée")},
        {(epci.pk, "n"): counts.get(epci.pk, 0) for epci in epcis},
        notes=[
            _(
                "Un besoin de personne pour lequel aucun conseiller n'était à portée, compté "
                "une fois par personne et par mois. Le filtre par type de structure ne s'y "
                "applique pas."
            )
        ],
        chart_column=0,
    )
    table.keys = [epci.pk for epci in epcis]
    return table


def _rate(cell, population):
    """Referrals per 1,000 inhabitants, only when both reach the threshold."""
    if cell.status == Status.SECONDARY:
        return HIDDEN_FIGURE
    if cell.hidden or cell.value < threshold() or population < threshold():
        return Figure(None, "—")
    rate = 1000 * cell.value / population
    return Figure(round(rate, 2), number_format(round(rate, 1), 1))


def _sum_of(cells):
    """A sum shown only when every part is published (it would otherwise reveal them)."""
    if any(cell.hidden for cell in cells):
        return HIDDEN_FIGURE
    value = sum(cell.value for cell in cells)
    return Figure(value, f"{value:n}")


def territory(filters):
    """The map's table: referrals, rate per 1,000 inhabitants and unmet needs by EPCI."""
    by_epci = states_by_epci(filters)
    without_advisor = unmet_needs(filters)
    columns = list(EPCI_COLUMNS)
    expired = columns.index("state:expired")
    no_capacity = columns.index("declined:no_capacity")
    populations = dict(
        Commune.objects.filter(department=filters.department)
        .values_list("epci_id")
        .annotate(population=Sum("population"))
    )
    rows = []
    keys = [*by_epci.keys, None]
    for key, row, unmet in zip(keys, by_epci.rows, without_advisor.rows, strict=True):
        population = (
            populations.get(key, 0) if key else sum(populations.get(k, 0) for k in by_epci.keys)
        )
        referrals = row.cells[-1]
        rows.append(
            Row(
                row.label,
                [
                    Figure(population, f"{population:n}"),
                    referrals,
                    _rate(referrals, population),
                    _sum_of([row.cells[expired], row.cells[no_capacity]]),
                    unmet.cells[0],
                ],
                total=row.total,
            )
        )
    table = StatTable(
        "territoire",
        _("Orientations, taux et besoins non satisfaits par EPCI"),
        _("EPCI de résidence"),
        [
            _("Population (INSEE)"),
            _("Orientations"),
            _("Orientations pour 1 000 habitants"),
            _("Orientations expirées ou refusées faute de disponibilité"),
            _("Besoins sans conseiller à portée"),
        ],
        rows,
        notes=[
            _(
                "Taux publié seulement quand le nombre d'orientations et la population atteignent "
                "%(n)s. Expirées ou refusées faute de disponibilité : somme publiée seulement "
                "quand ses deux parties le sont."
            )
            % {"n": threshold()}
        ],
    )
    table.keys = keys
    return table


# --- What the pages, the CSV and the API offer -------------------------------------------------

INDICATORS = {
    "territoire": (gettext_lazy("Carte et EPCI"), territory),
    "mois": (gettext_lazy("États par mois"), states_by_month),
    "epci": (gettext_lazy("États par EPCI"), states_by_epci),
    "communes": (gettext_lazy("Communes"), by_commune),
    "structures": (gettext_lazy("Types de structure"), states_by_typology),
    "besoins": (gettext_lazy("Besoins"), states_by_need),
    "ages": (gettext_lazy("Tranches d'âge"), by_age_band),
    "accompagnement": (gettext_lazy("Modes d'accompagnement"), by_support_mode),
    "delais": (gettext_lazy("Délais"), delays),
    "refus": (gettext_lazy("Motifs de refus"), decline_reasons),
    "issues": (gettext_lazy("Issues"), closure_outcomes),
    "sans-conseiller": (gettext_lazy("Besoins sans conseiller"), unmet_needs),
    "structures-actives": (gettext_lazy("Structures actives"), active_structures),
}


# A table changes only when the pre-aggregated counts are rebuilt: each is computed once per
# rebuild, filters and language (the disclosure control of a table with many small cells takes
# a few hundred milliseconds, measured with bench/load.py), then read from the cache.
TABLE_CACHE_SECONDS = 3600


def indicator_table(slug, filters):
    refresh = last_refresh()
    parts = (slug, refresh.pk if refresh else 0, threshold(), get_language(), *filters.as_key())
    key = "stats:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    table = cache.get(key)
    if table is None:
        table = INDICATORS[slug][1](filters)
        cache.set(key, table, TABLE_CACHE_SECONDS)
    return table


def last_refresh():
    return Refresh.objects.order_by("-done_at").first()
