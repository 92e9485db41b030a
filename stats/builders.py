"""The statistics' tables, read from the pre-aggregated counts, with disclosure control applied.

Nothing here returns a row about a person. Every count goes through `disclosure`; every figure
derived from counts (a rate, a median, a sum) is computed from published cells only, so a page,
its CSV and the API show the same cells hidden for the same reasons.

What can be subtracted from what. The tables of a calendar year are protected together, as one
set of linked counts: a count shown in two tables (the year's total, a state's total, an EPCI's
total in the communes' table) is one cell, hidden in both or in neither, and no count from 1 to
threshold - 1 follows from all the published cells of the year by linear algebra
(`disclosure.protect_linked`). Filters never compute new counts: the period is one calendar
year (years do not overlap; no table adds them up), and a filter by EPCI, type of structure or
need keeps the rows (or columns) of that EPCI, type or need in the year's tables that have them,
with the same cells hidden. A filtered count could otherwise be subtracted from the
département's one ("all types but this one"), or two periods from each other ("January to June
minus January to May").

The year's tables, built from the pre-aggregated counts as one set of linked counts (`Ledger`).
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.enums import Service
from directory.models import UnmetNeed
from referrals.models import DeclineReason, Outcome, ReferralState
from referrals.services import OUTCOMES
from territory.models import Commune, Epci

from .disclosure import Cell, Status, grid_lines, protect, protect_linked, publish
from .labels import AGE_LABELS, DELAY_PHASES, SUPPORT_MODE_LABELS, month_label, typology_label
from .models import (
    COUNT_KEYS,
    CommuneCube,
    ReferralCube,
    StructureCube,
    count_column,
)
from .tables import ALL, HIDDEN_FIGURE, TOTAL, Figure, Row, StatTable, count, threshold


class Ledger:
    """The year's tables as one set of linked counts: each table is added with the name of each
    of its cells and its lines, then all are protected together and read back as cells."""

    def __init__(self):
        self.values = {}
        self.lines = {}
        self.hidden = {}  # each table protected on its own first: where the whole one starts
        self.finish = []  # what is computed from the cells once protected (a delay's median)

    def add_grid(self, names, grid, *, row_totals, column_totals):
        for name_row, row in zip(names, grid, strict=True):
            for name, value in zip(name_row, row, strict=True):
                if self.values.setdefault(name, value) != value:  # two counts, one name
                    raise ValueError(f"{name}: {self.values[name]} and {value}")
        statuses = protect(
            grid, threshold=threshold(), row_totals=row_totals, column_totals=column_totals
        )
        for name_row, status_row in zip(names, statuses, strict=True):
            for name, status in zip(name_row, status_row, strict=True):
                if status != Status.PUBLISHED and self.hidden.get(name) != Status.WITHHELD:
                    self.hidden[name] = status
        n_rows, n_columns = len(grid), len(grid[0]) if grid else 0
        lines = grid_lines(n_rows, n_columns, row_totals=row_totals, column_totals=column_totals)
        for (wr, wc), parts in lines:
            self.add_line(names[wr][wc], [names[r][c] for r, c in parts])

    def add_line(self, whole, parts):
        self.lines.setdefault((whole, frozenset(parts)), (whole, list(parts)))

    def protect(self):
        lines = list(self.lines.values())
        # What the rules of a referral's life make true between the counts of two tables.
        for whole, parts in IDENTITIES:
            known = all(name in self.values for name in (whole, *parts))
            if known and self.values[whole] == sum(self.values[part] for part in parts):
                lines.append((whole, list(parts)))
        self.protected_lines = lines
        self.status = protect_linked(self.values, lines, threshold=threshold(), hidden=self.hidden)

    def cell(self, name):
        status = self.status[name]
        value = self.values[name] if status == Status.PUBLISHED else None
        return Cell(value, status, threshold())

    def add_count(self, name, value):
        """A count of no table's lines (only, maybe, of an identity)."""
        self.values[name] = value
        if 0 < value < threshold():
            self.hidden[name] = Status.PRIMARY

    def resolve(self, table):
        for row in table.rows:
            row.cells = [self.cell(c) if isinstance(c, tuple) else c for c in row.cells]
        return table


def _state(state):
    return count(measure=("state", state.value))


# Counts of the year that add up by the rules of a referral's life: a declined referral has a
# reason (the EPCI table splits them in two), a closed one an outcome of its kind. Each is a
# line for the disclosure control where the counts agree (referrals closed before outcomes were
# recorded have none).
IDENTITIES = [
    (
        _state(ReferralState.DECLINED),
        [count(measure=("decline", DeclineReason.NO_CAPACITY.value)), count(measure="other")],
    ),
    (_state(ReferralState.DECLINED), [count(measure="declines")]),
    *(
        (_state(state), [count(measure=("outcome", outcome.value)) for outcome in outcomes])
        for state, outcomes in (
            (ReferralState.COMPLETED, OUTCOMES["complete"]),
            (ReferralState.FAILED, OUTCOMES["fail"]),
        )
    ),
    # The delays' counts: the referrals closed (all but those whose dates were erased before
    # their delays were kept), and answered (all but those cancelled after an answer).
    (
        count(measure=("delay", "closure")),
        [_state(s) for s in ReferralState if s not in ("sent", "accepted", "in_progress")],
    ),
    (
        count(measure=("delay", "answer")),
        [_state(s) for s in ReferralState if s not in ("sent", "expired", "cancelled")],
    ),
]


def _table(ledger, slug, title, row_header, rows, columns, counts, name, **kwargs):
    """A table of counts[(row, column)], rows and columns as {key: label}, each cell named by
    `name(row, column)` (TOTAL for a total): its names in the rows, its counts in `ledger`."""
    total_label = kwargs.pop("total_label", None) or _("Total")
    row_keys, column_keys = list(rows), list(columns)
    with_row_totals = len(column_keys) > 1
    grid = [[counts.get((row, column), 0) for column in column_keys] for row in row_keys]
    all_columns = column_keys + ([TOTAL] if with_row_totals else [])
    if with_row_totals:
        grid = [[*values, sum(values)] for values in grid]
    grid.append([sum(column) for column in zip(*grid, strict=True)] if grid else [])
    names = [[name(row, column) for column in all_columns] for row in [*row_keys, TOTAL]]
    if row_keys:
        ledger.add_grid(names, grid, row_totals=with_row_totals, column_totals=True)
    else:
        ledger.values.update(dict.fromkeys(names[-1], 0))
    column_labels = list(columns.values()) + ([_("Total")] if with_row_totals else [])
    table_rows = [
        Row(label, names[index], key=key) for index, (key, label) in enumerate(rows.items())
    ]
    table_rows.append(Row(total_label, names[-1], total=True))
    return StatTable(
        slug, title, row_header, column_labels, table_rows, column_keys=all_columns, **kwargs
    )


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


def referral_years(department):
    """The calendar years with referrals, latest first; the current one when there are none."""
    years = {
        month.year
        for month in ReferralCube.objects.filter(department=department)
        .order_by()
        .values_list("month", flat=True)
        .distinct()
    }
    return sorted(years or {timezone.localdate().year}, reverse=True)


@dataclass(frozen=True)
class Year:
    """What the year's tables are computed on: a département and a calendar year."""

    department: object
    year: int

    def cube(self, model, *, per_need=False):
        rows = model.objects.filter(department=self.department, month__year=self.year)
        if per_need:
            return rows.exclude(need="")
        return rows.filter(need="")

    def months(self):
        """January to December; the current year up to this month."""
        today = timezone.localdate()
        last = 12 if self.year < today.year else today.month if self.year == today.year else 0
        return [date(self.year, month, 1) for month in range(1, last + 1)]


def _state_name(dimension):
    """Names of a table's cells by state, its rows being months ("period"), EPCIs ("zone"),
    types ("typology") or needs ("need")."""
    tag = {"period": "M", "zone": "epci"}.get(dimension)

    def name(row, column):
        measure = "all" if column is TOTAL else EPCI_MEASURES.get(column, ("state", column))
        if row is not TOTAL:
            return count(**{dimension: (tag, row) if tag else row}, measure=measure)
        if dimension == "need":  # the sum over needs (a referral counts for each of its needs)
            return count(need="sum", measure=measure)
        return count(measure=measure)

    return name


def states_by_month(ledger, year):
    counts = _sum_counts(year.cube(ReferralCube), "month")
    months = {month: month_label(month) for month in year.months()}
    states = _states()
    counts = {
        (month, state): counts[(month, f"state:{state}")] for month in months for state in states
    }
    return _table(
        ledger,
        "mois",
        _("Orientations par mois et par état"),
        _("Mois d'envoi"),
        months,
        states,
        counts,
        _state_name("period"),
        total_label=_("Total de l'année"),
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


# What each column of the EPCI table counts, in the names of `count`.
EPCI_MEASURES = {
    **{column: ("state", column.split(":", 1)[1]) for column in EPCI_COLUMNS if "state:" in column},
    "declined:no_capacity": ("decline", DeclineReason.NO_CAPACITY.value),
    "declined:other": "other",
}


def _epcis(department):
    """The EPCIs holding communes of `department`, whichever département the EPCI is filed
    under (an EPCI straddling two départements belongs to one of them)."""
    return list(Epci.objects.of_department(department).order_by("name", "pk"))


def states_by_epci(ledger, year):
    raw = _sum_counts(year.cube(ReferralCube), "epci_id", prefixes=("state", "decline"))
    epcis = _epcis(year.department)
    counts = {}
    for epci in epcis:
        no_capacity = raw[(epci.pk, f"decline:{DeclineReason.NO_CAPACITY}")]
        for column in EPCI_COLUMNS:
            counts[(epci.pk, column)] = raw[(epci.pk, column)]
        counts[(epci.pk, "declined:no_capacity")] = no_capacity
        counts[(epci.pk, "declined:other")] = raw[(epci.pk, "state:declined")] - no_capacity
    return _table(
        ledger,
        "epci",
        _("Orientations par EPCI et par état"),
        _("EPCI de résidence"),
        {epci.pk: epci.name for epci in epcis},
        EPCI_COLUMNS,
        counts,
        _state_name("zone"),
        notes=[_("Selon la commune de résidence de la personne orientée.")],
        chart_column=len(EPCI_COLUMNS),
    )


def states_by_typology(ledger, year):
    counts = _sum_counts(year.cube(ReferralCube), "typology")
    typologies = sorted({typology for typology, _name in counts}, key=typology_label)
    states = _states()
    return _table(
        ledger,
        "structures",
        _("Orientations par type de structure orienteuse et par état"),
        _("Type de structure"),
        {typology: typology_label(typology) for typology in typologies},
        states,
        {(t, s): counts[(t, f"state:{s}")] for t in typologies for s in states},
        _state_name("typology"),
        chart_column=len(states),
    )


def states_by_need(ledger, year):
    counts = _sum_counts(year.cube(ReferralCube, per_need=True), "need")
    states = _states()
    return _table(
        ledger,
        "besoins",
        _("Orientations par besoin et par état"),
        _("Besoin"),
        {need.value: need.label for need in Service},
        states,
        {(n.value, s): counts[(n.value, f"state:{s}")] for n in Service for s in states},
        _state_name("need"),
        total_label=_("Total des besoins"),
        notes=[_("Une orientation peut porter sur plusieurs besoins : elle compte pour chacun.")],
        chart_column=len(states),
    )


def _one_way(ledger, year, slug, title, row_header, prefix, labels, column, total, notes=()):
    """Counts of one kind: age band, support mode, decline reason or outcome; `total`: what
    their total counts, in the names of `count`."""
    counts = _sum_counts(year.cube(ReferralCube), prefixes=(prefix,))

    def name(row, _column):
        return count(measure=total if row is TOTAL else (prefix, row))

    return _table(
        ledger,
        slug,
        title,
        row_header,
        labels,
        {"n": column},
        {(key, "n"): counts[(None, f"{prefix}:{key}")] for key in labels},
        name,
        notes=list(notes),
        chart_column=0,
    )


def by_age_band(ledger, year):
    return _one_way(
        ledger,
        year,
        "ages",
        _("Orientations par tranche d'âge"),
        _("Âge à l'envoi"),
        "age",
        AGE_LABELS,
        _("Orientations"),
        "all",
    )


def by_support_mode(ledger, year):
    return _one_way(
        ledger,
        year,
        "accompagnement",
        _("Orientations par mode d'accompagnement"),
        _("Mode d'accompagnement (diagnostic)"),
        "mode",
        SUPPORT_MODE_LABELS,
        _("Orientations"),
        "all",
        notes=[_("« Non renseigné » : orientation sans diagnostic, ou diagnostic sans mode.")],
    )


def decline_reasons(ledger, year):
    return _one_way(
        ledger,
        year,
        "refus",
        _("Motifs de refus"),
        _("Motif"),
        "decline",
        {reason.value: reason.label for reason in DeclineReason},
        _("Orientations refusées"),
        "declines",
    )


def closure_outcomes(ledger, year):
    return _one_way(
        ledger,
        year,
        "issues",
        _("Issues des accompagnements clôturés"),
        _("Issue"),
        "outcome",
        {outcome.value: outcome.label for outcome in Outcome},
        _("Orientations terminées ou non abouties"),
        "outcomes",
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


def delays(ledger, year):
    """Each phase's referrals (counts of the year, linked to the states' totals) and, when
    that count is published, its median and 90th percentile."""
    histograms = _delay_histograms(year.cube(ReferralCube))
    rows = []
    for phase, label in DELAY_PHASES.items():
        name = count(measure=("delay", phase))
        ledger.add_count(name, sum(histograms[phase].values()))
        rows.append(Row(label, [name, None, None], key=phase))

    def figures(table):
        for row in table.rows:
            referrals = row.cells[0]
            if referrals.hidden or not referrals.value:
                row.cells[1:] = [HIDDEN_FIGURE if referrals.hidden else Figure(None, "—")] * 2
            else:
                histogram = histograms[row.key]
                row.cells[1:] = [_days(_percentile(histogram, s)) for s in (0.5, 0.9)]

    table = StatTable(
        "delais",
        _("Délais en jours ouvrés"),
        _("Délai"),
        [_("Orientations concernées"), _("Médiane"), _("90e centile")],
        rows,
        notes=[
            _(
                "Jours ouvrés : du lundi au vendredi, hors jours fériés. Médiane et 90e centile "
                "publiés seulement quand au moins %(n)s orientations sont concernées, et le "
                "nombre d'orientations quand il ne permet de retrouver aucune case cachée des "
                "autres tableaux. Les orientations effacées avant que leurs délais ne soient "
                "gardés n'y figurent pas (leurs dates ne sont gardées qu'au mois)."
            )
            % {"n": threshold()}
        ],
    )
    ledger.finish.append(lambda: figures(table))
    return table


def active_structures(_ledger, year):
    counts = dict(
        year.cube(StructureCube)
        .values_list("month")
        .annotate(structures=Count("structure_id", distinct=True))
    )
    rows = [
        Row(month_label(month), [publish(counts.get(month, 0), threshold())])
        for month in year.months()
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


def by_commune(ledger, year):
    """Communes grouped under their EPCI, whose sub-total is the EPCI table's cell."""
    counts = dict(
        year.cube(CommuneCube).values_list("commune_id").annotate(referrals=Sum("referrals"))
    )
    communes = defaultdict(list)
    for commune in Commune.objects.filter(pk__in=counts).order_by("name"):
        communes[commune.epci_id].append(commune)
    rows = []
    for epci in _epcis(year.department):
        members = communes.get(epci.pk, [])
        subtotal = count(zone=("epci", epci.pk))
        names = [[count(zone=("commune", commune.pk))] for commune in members] + [[subtotal]]
        grid = [[counts[commune.pk]] for commune in members] + [
            [sum(counts[commune.pk] for commune in members)]
        ]
        if members:
            ledger.add_grid(names, grid, row_totals=False, column_totals=True)
        rows.append(Row(epci.name, [subtotal], group=True, key=epci.pk))
        rows += [
            Row(commune.name, cell_names, key=epci.pk)
            for commune, cell_names in zip(members, names, strict=False)
        ]
    rows.append(Row(_("Total"), [count()], total=True))
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


def unmet_needs(ledger, year):
    """Needs with no advisor within reach, recorded when suggestions were computed, by EPCI and
    need category (another population than the referrals: its own counts)."""
    rows = UnmetNeed.objects.filter(commune__department=year.department, month__year=year.year)
    counts = {
        (epci, need): n
        for epci, need, n in rows.values_list("commune__epci_id", "category").annotate(
            n=Count("pk")
        )
    }
    epcis = _epcis(year.department)

    def name(row, column):
        return count(
            zone=ALL if row is TOTAL else ("epci", row),
            need=ALL if column is TOTAL else column,
            measure="unmet",
        )

    return _table(
        ledger,
        "sans-conseiller",
        _("Besoins sans conseiller à portée, par EPCI"),
        _("EPCI de résidence"),
        {epci.pk: epci.name for epci in epcis},
        {need.value: need.label for need in Service},
        counts,
        name,
        notes=[
            _(
                "Un besoin de personne pour lequel aucun conseiller n'était à portée, compté "
                "une fois par personne et par mois. Le filtre par type de structure ne s'y "
                "applique pas."
            )
        ],
        chart_column=len(Service),
    )


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


def territory(by_epci, without_advisor, year):
    """The map's table: referrals, rate per 1,000 inhabitants and unmet needs by EPCI."""
    columns = list(EPCI_COLUMNS)
    expired = columns.index("state:expired")
    no_capacity = columns.index("declined:no_capacity")
    populations = dict(
        Commune.objects.filter(department=year.department)
        .values_list("epci_id")
        .annotate(population=Sum("population"))
    )
    rows = []
    for row, unmet in zip(by_epci.rows, without_advisor.rows, strict=True):
        population = (
            populations.get(row.key, 0)
            if row.key
            else sum(populations.get(k, 0) for k in by_epci.keys if k)
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
                    unmet.cells[-1],
                ],
                total=row.total,
                key=row.key,
            )
        )
    return StatTable(
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


def year_tables(year):
    """Every table of the year, protected together (see the module's docstring)."""
    return year_ledger(year)[1]


def year_ledger(year):
    """The year's linked counts, protected, and its tables read from them."""
    ledger = Ledger()
    tables = {slug: builder(ledger, year) for slug, (_label, builder, _splits) in BUILDERS.items()}
    ledger.protect()
    for table in tables.values():
        ledger.resolve(table)
    for finish in ledger.finish:
        finish()
    tables["territoire"] = territory(tables["epci"], tables["sans-conseiller"], year)
    return ledger, {slug: tables[slug] for slug in INDICATORS}


# slug: (label, builder, the filters that keep its rows or columns)
BUILDERS = {
    "mois": (gettext_lazy("États par mois"), states_by_month, ()),
    "epci": (gettext_lazy("États par EPCI"), states_by_epci, ("epci",)),
    "communes": (gettext_lazy("Communes"), by_commune, ("epci",)),
    "structures": (gettext_lazy("Types de structure"), states_by_typology, ("type",)),
    "besoins": (gettext_lazy("Besoins"), states_by_need, ("need",)),
    "ages": (gettext_lazy("Tranches d'âge"), by_age_band, ()),
    "accompagnement": (gettext_lazy("Modes d'accompagnement"), by_support_mode, ()),
    "delais": (gettext_lazy("Délais"), delays, ()),
    "refus": (gettext_lazy("Motifs de refus"), decline_reasons, ()),
    "issues": (gettext_lazy("Issues"), closure_outcomes, ()),
    "sans-conseiller": (gettext_lazy("Besoins sans conseiller"), unmet_needs, ("epci", "need")),
    "structures-actives": (gettext_lazy("Structures actives"), active_structures, ()),
}


INDICATORS = {
    "territoire": (gettext_lazy("Carte et EPCI"), ("epci",)),
    **{slug: (label, splits) for slug, (label, _builder, splits) in BUILDERS.items()},
}
