"""The matching has no page of its own: its ranking shows on the referral pages."""

urlpatterns = []
