from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import AdvisorViewSet, RankingView

router = SimpleRouter()
router.register("advisors", AdvisorViewSet, basename="advisor")
urlpatterns = [
    *router.urls,
    path("matching/", RankingView.as_view(), name="matching"),
]
