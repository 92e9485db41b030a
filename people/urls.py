from django.urls import path

from . import views

urlpatterns = [
    path("personnes/", views.person_list, name="person_list"),
    path("personnes/nouvelle/", views.person_create, name="person_create"),
    path("personnes/<int:pk>/", views.person_detail, name="person_detail"),
    path("personnes/<int:pk>/consentement/retirer/", views.consent_revoke, name="consent_revoke"),
    path("personnes/<int:pk>/consentement/", views.consent_record, name="consent_record"),
    path("personnes/<int:pk>/export.json", views.person_export, name="person_export"),
    path("personnes/<int:pk>/effacer/", views.person_erase, name="person_erase"),
    path("coordination/consultations/", views.access_log, name="person_access_log"),
]
