from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import ReferralViewSet, SuggestionView

router = SimpleRouter()
router.register("referrals", ReferralViewSet, basename="referral")
urlpatterns = [
    *router.urls,
    path("suggestions/", SuggestionView.as_view(), name="suggestions"),
]
