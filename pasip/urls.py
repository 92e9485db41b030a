"""Each domain app brings its pages (`urls.py`) and its API (`api_urls.py`)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import oidc, second_factor
from accounts.api import RevokeAuthToken, ThrottledObtainAuthToken
from accounts.views import LoginView, home
from pasip import legal
from pasip.api import api_root
from pasip.health import healthz, readyz

APPS = [
    "territory",
    "people",
    "assessments",
    "directory",
    "matching",
    "referrals",
    "slips",
    "notifications",
    "stats",
]

api_urls = [
    path("", api_root, name="api-root"),
    *(path("", include(f"{app}.api_urls")) for app in APPS),
    path("auth/token/", ThrottledObtainAuthToken.as_view(), name="api-token"),
    path("auth/token/revoke/", RevokeAuthToken.as_view(), name="api-token-revoke"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("connexion/", LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("connexion/proconnect/", oidc.LoginStart.as_view(), name="oidc_authentication_init"),
    path(
        "connexion/proconnect/retour/",
        oidc.LoginCallback.as_view(),
        name="oidc_authentication_callback",
    ),
    path("connexion/second-facteur/", second_factor.second_factor, name="second_factor"),
    path(
        "connexion/second-facteur/activation/",
        second_factor.second_factor_setup,
        name="second_factor_setup",
    ),
    path("mentions-legales/", legal.legal_notice, name="legal_notice"),
    path("confidentialite/", legal.privacy, name="privacy"),
    path("accessibilite/", legal.accessibility, name="accessibility"),
    path("aide/", legal.help_contact, name="help"),
    *(path("", include(f"{app}.urls")) for app in APPS),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_urls)),
]

handler400 = "pasip.views.bad_request"
handler403 = "pasip.views.permission_denied"
handler404 = "pasip.views.page_not_found"
handler500 = "pasip.views.server_error"
