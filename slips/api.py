from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.views import APIView

from accounts.models import Role
from pasip.api import role_permission

from .content import Variant
from .views import pdf_response, referral_for_slip, slip_variant


class PDFRenderer(BaseRenderer):
    """Lets a client ask for `Accept: application/pdf`; errors stay JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data)


class ReferralSlipView(APIView):
    """The referral slip as a PDF; another structure's referral is a 404."""

    renderer_classes = [JSONRenderer, PDFRenderer]
    permission_classes = [role_permission(Role.SOCIAL_WORKER, Role.ADVISOR)]

    def handle_exception(self, exc):
        # Errors are JSON even when the client asked for a PDF (`?format=pdf`).
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "variant",
                str,
                enum=list(Variant.ALL),
                description="« large » : la fiche en gros caractères.",
            )
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request, pk):
        referral, rows = referral_for_slip(request, pk)
        return pdf_response(referral, slip_variant(request.query_params), rows)
