from django.urls import path

from .api import ReferralSlipView

urlpatterns = [
    path("referrals/<int:pk>/slip/", ReferralSlipView.as_view(), name="referral-slip"),
]
