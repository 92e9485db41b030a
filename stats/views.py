from django.shortcuts import render

from accounts.models import Role
from pasip.permissions import role_required

from .selectors import referrals_by_epci_and_month


@role_required(Role.OFFICER, Role.COORDINATOR, Role.ADMINISTRATOR)
def stats_home(request):
    table = referrals_by_epci_and_month(department=request.user.department)
    return render(request, "stats/home.html", {"table": table})
