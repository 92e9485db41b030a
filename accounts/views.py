from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from .oidc import oidc_enabled


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


class LoginView(auth_views.LoginView):
    """The login page, with the ProConnect button when OpenID Connect is configured."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["proconnect"] = oidc_enabled()
        context["proconnect_failed"] = self.request.GET.get("proconnect") == "echec"
        return context
