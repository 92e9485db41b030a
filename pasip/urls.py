from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from accounts.views import home
from people import views as people_views
from people.api import PersonViewSet
from referrals import views as referral_views
from referrals.api import ReferralViewSet, SuggestionView
from stats import views as stats_views
from stats.api import ReferralsByEpciMonthView
from territory.api import CommuneViewSet

router = DefaultRouter()
router.register("communes", CommuneViewSet, basename="commune")
router.register("persons", PersonViewSet, basename="person")
router.register("referrals", ReferralViewSet, basename="referral")

api_urls = [
    path("", include(router.urls)),
    path("suggestions/", SuggestionView.as_view(), name="suggestions"),
    path(
        "stats/referrals-by-epci-month/",
        ReferralsByEpciMonthView.as_view(),
        name="stats-referrals-by-epci-month",
    ),
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("", home, name="home"),
    path("connexion/", auth_views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("personnes/", people_views.person_list, name="person_list"),
    path("personnes/nouvelle/", people_views.person_create, name="person_create"),
    path("personnes/<int:person_pk>/orienter/", referral_views.referral_new, name="referral_new"),
    path("orientations/", referral_views.referral_list, name="referral_list"),
    path("orientations/<int:pk>/", referral_views.referral_detail, name="referral_detail"),
    path("orientations/<int:pk>/accepter/", referral_views.referral_accept, name="referral_accept"),
    path(
        "orientations/<int:pk>/refuser/", referral_views.referral_decline, name="referral_decline"
    ),
    path("orientations/<int:pk>/fiche.pdf", referral_views.referral_slip, name="referral_slip"),
    path("statistiques/", stats_views.stats_home, name="stats_home"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_urls)),
]
