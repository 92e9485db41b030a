import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.models import Role
from pasip.permissions import role_required
from territory.models import Epci

from . import charts
from .builders import INDICATORS
from .forms import FiltersForm
from .selectors import indicator_table
from .services import stats_ensure_fresh
from .tables import threshold

STATS_ROLES = (Role.OFFICER, Role.COORDINATOR, Role.ADMINISTRATOR)


def _filters_form(request):
    return FiltersForm(request.GET or None, department=request.user.department)


def _context(request, form, refresh, **extra):
    return {
        "form": form,
        "query": request.GET.urlencode(),
        "indicators": [(slug, label) for slug, (label, _splits) in INDICATORS.items()],
        "refresh": refresh,
        "threshold": threshold(request.user.department),
        **extra,
    }


@role_required(*STATS_ROLES)
def stats_home(request):
    refresh = stats_ensure_fresh()
    form = _filters_form(request)
    filters = form.filters()
    table = indicator_table("territoire", filters)
    codes = _epci_codes(filters)
    department = filters.department
    maps = []
    for column, ident, subject, unit in (
        (2, "carte-taux", _("Orientations pour 1 000 habitants"), "‰"),
        (
            3,
            "carte-non-satisfaites",
            _("Orientations expirées ou refusées faute de disponibilité"),
            "",
        ),
        (4, "carte-sans-conseiller", _("Besoins sans conseiller à portée"), ""),
    ):
        title = _("%(subject)s, par EPCI") % {"subject": subject}
        if department is not None:
            title = _("%(title)s — %(department)s") % {
                "title": title,
                "department": department.name,
            }
        figures = {
            codes[key]: (row.label, row.cells[column])
            for key, row in zip(table.keys, table.rows, strict=True)
            if key is not None
        }
        svg = charts.epci_map(
            ident=ident, title=title, figures=figures, unit=unit, department=department
        )
        maps.append((title, svg))
    return render(
        request,
        "stats/home.html",
        _context(request, form, refresh, table=table, slug="territoire", maps=maps),
    )


def _epci_codes(filters):
    return dict(Epci.objects.of_department(filters.department).values_list("pk", "code"))


@role_required(*STATS_ROLES)
def stats_indicator(request, slug):
    if slug not in INDICATORS or slug == "territoire":
        raise Http404
    refresh = stats_ensure_fresh()
    form = _filters_form(request)
    table = indicator_table(slug, form.filters())
    chart = None
    if table.chart_column is not None:
        rows = [(row.label, row.cells[table.chart_column]) for row in table.rows if not row.total]
        chart = charts.bars(title=table.title, rows=rows)
    return render(
        request,
        "stats/indicator.html",
        _context(request, form, refresh, table=table, slug=slug, chart=chart),
    )


@role_required(*STATS_ROLES)
def stats_csv(request, slug):
    if slug not in INDICATORS:
        raise Http404
    stats_ensure_fresh()
    table = indicator_table(slug, _filters_form(request).filters())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statistiques-{slug}.csv"'
    response.write("\ufeff")  # lets spreadsheet software read the accents
    writer = csv.writer(response, delimiter=";")
    writer.writerows(table.csv_rows())
    return response
