from django.urls import path

from .api import ReferralsByEpciMonthView

urlpatterns = [
    path(
        "stats/referrals-by-epci-month/",
        ReferralsByEpciMonthView.as_view(),
        name="stats-referrals-by-epci-month",
    ),
]
