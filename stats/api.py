from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from pasip.api import role_permission

from .selectors import referrals_by_epci_and_month


class EpciRowSerializer(serializers.Serializer):
    epci = serializers.CharField()
    epci_code = serializers.CharField()
    counts = serializers.ListField(child=serializers.IntegerField())
    total = serializers.IntegerField()


class ReferralsByEpciSerializer(serializers.Serializer):
    months = serializers.ListField(child=serializers.DateField())
    rows = EpciRowSerializer(many=True)


class ReferralsByEpciMonthView(APIView):
    """Referrals sent, counted by EPCI of the person's commune and by month. No person-level row."""

    permission_classes = [role_permission(Role.OFFICER, Role.COORDINATOR, Role.ADMINISTRATOR)]

    @extend_schema(responses=ReferralsByEpciSerializer)
    def get(self, request):
        table = referrals_by_epci_and_month(department=request.user.department)
        return Response(ReferralsByEpciSerializer(table).data)
