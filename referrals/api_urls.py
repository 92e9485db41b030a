from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import BoardView, ReferralViewSet, SuggestionView

router = SimpleRouter()
router.register("referrals", ReferralViewSet, basename="referral")
urlpatterns = [
    *router.urls,
    path("suggestions/", SuggestionView.as_view(), name="suggestions"),
    path("coordination/board/", BoardView.as_view(), name="coordinator-board"),
]
