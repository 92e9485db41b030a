from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def home(request):
    """Each role lands where its work starts."""
    user = request.user
    if user.is_social_worker:
        return redirect("person_list")
    if user.is_advisor:
        return redirect("referral_list")
    if user.is_officer or user.is_coordinator:
        return redirect("stats_home")
    return redirect("admin:index")
