from django.urls import path

from . import views

ACTION_PATHS = {
    "accept": "accepter",
    "decline": "refuser",
    "start": "premier-rendez-vous",
    "complete": "terminer",
    "fail": "non-aboutie",
}

urlpatterns = [
    path("personnes/<int:person_pk>/orienter/", views.referral_new, name="referral_new"),
    path("orientations/", views.referral_list, name="referral_list"),
    path("orientations/<int:pk>/", views.referral_detail, name="referral_detail"),
    *(
        path(
            f"orientations/<int:pk>/{slug}/",
            views.referral_act,
            {"name": name},
            name=f"referral_{name}",
        )
        for name, slug in ACTION_PATHS.items()
    ),
    path(
        "orientations/<int:pk>/rendez-vous/",
        views.referral_appointment,
        name="referral_appointment",
    ),
    path(
        "orientations/<int:pk>/rendez-vous/supprimer/",
        views.referral_appointment_remove,
        name="referral_appointment_remove",
    ),
    # GET: what cancelling will do, with the reason to give; POST: the cancellation.
    path("orientations/<int:pk>/annuler/", views.referral_cancel, name="referral_cancel"),
    path("orientations/<int:pk>/message/", views.referral_message, name="referral_message"),
    path("orientations/<int:pk>/reorienter/", views.referral_reroute, name="referral_reroute"),
    path("coordination/", views.coordinator_board, name="coordinator_board"),
]
