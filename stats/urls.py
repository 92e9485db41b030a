from django.urls import path

from . import views

urlpatterns = [
    path("statistiques/", views.stats_home, name="stats_home"),
    path("statistiques/<slug:slug>/", views.stats_indicator, name="stats_indicator"),
    path("statistiques/<slug:slug>.csv", views.stats_csv, name="stats_csv"),
]
