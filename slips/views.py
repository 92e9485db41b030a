from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from accounts.models import Role
from pasip.permissions import role_required
from referrals.models import Referral

from .rendering import slip_pdf


def pdf_response(referral):
    response = HttpResponse(slip_pdf(referral), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="fiche-{referral.code}.pdf"'
    return response


@role_required(Role.SOCIAL_WORKER, Role.ADVISOR)
def referral_slip(request, pk):
    return pdf_response(get_object_or_404(Referral.objects.visible_to(request.user), pk=pk))
