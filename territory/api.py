from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from .models import Commune

QUERY_MAX_LENGTH = 100


class CommuneSerializer(serializers.ModelSerializer):
    epci = serializers.CharField(source="epci.name")

    class Meta:
        model = Commune
        fields = ["insee", "name", "postal_codes", "population", "epci", "latitude", "longitude"]


class CommuneViewSet(viewsets.ReadOnlyModelViewSet):
    """The communes of the territory; `?q=` filters by name or postal code."""

    serializer_class = CommuneSerializer
    lookup_field = "insee"

    def get_queryset(self):
        communes = Commune.objects.select_related("epci").order_by("name")
        query = self.request.query_params.get("q", "").strip()
        if len(query) > QUERY_MAX_LENGTH:  # before the query: SQLite refuses long LIKE patterns
            raise ValidationError(
                {"q": [f"Recherche trop longue : {QUERY_MAX_LENGTH} caractères au plus."]}
            )
        if query:
            communes = communes.filter(name__icontains=query) | communes.filter(
                postal_codes__contains=query
            )
        return communes
