from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from accounts.models import Role
from pasip.api import role_permission

from .builders import INDICATORS
from .forms import FiltersForm
from .selectors import indicator_table
from .services import stats_ensure_fresh
from .tables import threshold

STATS_PERMISSION = role_permission(Role.OFFICER, Role.COORDINATOR, Role.ADMINISTRATOR)
FILTER_PARAMETERS = [
    OpenApiParameter("annee", int, description="Année civile (par défaut : la dernière)"),
    OpenApiParameter("epci", str, description="SIREN de l'EPCI"),
    OpenApiParameter("type", str, description="Type de structure orienteuse (Typologie)"),
    OpenApiParameter("besoin", str, description="Catégorie de besoin (Service)"),
]
FILTER_NAMES = {parameter.name for parameter in FILTER_PARAMETERS} | {"format"}


class StatsIndexView(APIView):
    """The tables the statistics publish, each with its URL."""

    permission_classes = [STATS_PERMISSION]

    @extend_schema(operation_id="stats_index", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(
            {
                "tables": [
                    {
                        "slug": slug,
                        "label": str(label),
                        "url": reverse("stats-table", args=[slug], request=request),
                    }
                    for slug, (label, _splits) in INDICATORS.items()
                ]
            }
        )


class StatsTableView(APIView):
    """One table, with the filters and the disclosure control of the page and its CSV.

    A hidden cell has `value: null`, `status` "primary" (a count from 1 to threshold - 1)
    or "secondary" (hidden so that no primary cell can be recomputed).
    """

    permission_classes = [STATS_PERMISSION]

    @extend_schema(parameters=FILTER_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request, slug):
        if slug not in INDICATORS:
            raise Http404
        unknown = sorted(set(request.query_params) - FILTER_NAMES)
        if unknown:
            raise ValidationError(
                {
                    name: [
                        "Paramètre inconnu. Filtres possibles : annee (une année civile), "
                        "epci, type, besoin (un seul des trois à la fois)."
                    ]
                    for name in unknown
                }
            )
        form = FiltersForm(request.query_params, department=request.user.department)
        if request.query_params and not form.is_valid():
            raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
        refresh = stats_ensure_fresh()
        filters = form.filters()
        return Response(
            {
                **indicator_table(slug, filters).as_json(),
                "filters": filters.as_json(),
                "threshold": threshold(request.user.department),
                "refreshed_at": refresh.done_at,
            }
        )
