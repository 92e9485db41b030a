from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from accounts.models import Role
from pasip.api import role_permission
from referrals.models import Referral

from .views import pdf_response


class ReferralSlipView(APIView):
    """The referral slip as a PDF; another structure's referral is a 404."""

    permission_classes = [role_permission(Role.SOCIAL_WORKER, Role.ADVISOR)]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        return pdf_response(get_object_or_404(Referral.objects.visible_to(request.user), pk=pk))
