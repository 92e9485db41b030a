"""Each app brings its pages (`urls.py`) and its API (`api_urls.py`), named here by their
module only: the project's wiring imports no app."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from pasip import legal
from pasip.api import api_root
from pasip.health import healthz, readyz

APPS = [
    "accounts",
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
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
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
