from django.urls import path

from . import views

urlpatterns = [
    path("orientations/<int:pk>/fiche.pdf", views.referral_slip, name="referral_slip"),
    path(
        "orientations/<int:pk>/fiche/apercu/",
        views.referral_slip_preview,
        name="referral_slip_preview",
    ),
    path(
        "personnes/<int:pk>/donnees.pdf",
        views.person_access_document,
        name="person_access_document",
    ),
]
