from django.urls import path

from . import views

urlpatterns = [
    path("orientations/<int:pk>/fiche.pdf", views.referral_slip, name="referral_slip"),
]
