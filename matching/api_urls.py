from django.urls import path

from .api import RankingView

urlpatterns = [
    path("matching/", RankingView.as_view(), name="matching"),
]
