from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from .oidc import LOGOUT_STATE_SESSION_KEY, logout_at_provider, oidc_enabled, requested_acr_values


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
        if self.request.GET.get("proconnect") == "niveau":
            context["proconnect_level_refused"] = " ".join(requested_acr_values())
        # Back from the logout at ProConnect (the state it returns is the one we sent).
        state = self.request.GET.get("state")
        if state and state == self.request.session.pop(LOGOUT_STATE_SESSION_KEY, None):
            context["proconnect_logged_out"] = True
        return context


class LogoutView(auth_views.LogoutView):
    """Logout (a POST, CSRF-protected); after a ProConnect login, it also ends the session at the
    provider."""

    def post(self, request, *args, **kwargs):
        return logout_at_provider(request) or super().post(request, *args, **kwargs)
