from django.urls import path

from . import views

urlpatterns = [
    path(
        "personnes/<int:person_pk>/diagnostic/",
        views.assessment_create,
        name="assessment_create",
    ),
    path("diagnostics/<int:pk>/", views.assessment_resume, name="assessment_resume"),
    path("diagnostics/<int:pk>/etape/<int:step>/", views.assessment_step, name="assessment_step"),
    path(
        "diagnostics/<int:pk>/recapitulatif/",
        views.assessment_summary,
        name="assessment_summary",
    ),
    path("diagnostics/<int:pk>/corriger/", views.assessment_correct, name="assessment_correct"),
]
