from django.urls import path

from . import views

urlpatterns = [
    path("personnes/<int:person_pk>/orienter/", views.referral_new, name="referral_new"),
    path("orientations/", views.referral_list, name="referral_list"),
    path("orientations/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("orientations/<int:pk>/accepter/", views.referral_accept, name="referral_accept"),
    path("orientations/<int:pk>/refuser/", views.referral_decline, name="referral_decline"),
]
