from django.urls import path

from .api import StatsIndexView, StatsTableView

urlpatterns = [
    path("stats/", StatsIndexView.as_view(), name="stats-index"),
    path("stats/<slug:slug>/", StatsTableView.as_view(), name="stats-table"),
]
