from django.urls import path

from . import oidc, second_factor
from .views import LoginView, LogoutView, home

urlpatterns = [
    path("", home, name="home"),
    path("connexion/", LoginView.as_view(), name="login"),
    path("deconnexion/", LogoutView.as_view(), name="logout"),
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
]
