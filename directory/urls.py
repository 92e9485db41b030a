from django.urls import path

from . import views

urlpatterns = [
    path("annuaire/", views.directory_home, name="directory_home"),
    path("annuaire/recherche/", views.advisor_search, name="directory_search"),
    path("annuaire/ma-fiche/", views.my_entry, name="directory_my_entry"),
    path("annuaire/conseillers/<int:pk>/", views.advisor_edit, name="directory_advisor"),
    path(
        "annuaire/conseillers/<int:pk>/permanences/",
        views.permanence_add,
        name="directory_permanence_add",
    ),
    path(
        "annuaire/permanences/<int:pk>/supprimer/",
        views.permanence_remove,
        name="directory_permanence_remove",
    ),
    path(
        "annuaire/conseillers/<int:pk>/absences/", views.absence_add, name="directory_absence_add"
    ),
    path(
        "annuaire/absences/<int:pk>/supprimer/",
        views.absence_remove,
        name="directory_absence_remove",
    ),
    path("annuaire/lieux/", views.place_list, name="directory_places"),
    path("annuaire/lieux/nouveau/", views.place_edit, name="directory_place_new"),
    path("annuaire/lieux/<int:pk>/", views.place_edit, name="directory_place"),
    path("annuaire/import/", views.import_list, name="directory_imports"),
    path("annuaire/import/<int:pk>/", views.import_detail, name="directory_import"),
    path("annuaire/import/<int:pk>/appliquer/", views.import_apply, name="directory_import_apply"),
    path(
        "annuaire/import/<int:pk>/verifier/", views.import_recheck, name="directory_import_recheck"
    ),
    path("annuaire/export.csv", views.export, {"fmt": "csv"}, name="directory_export_csv"),
    path("annuaire/export.json", views.export, {"fmt": "json"}, name="directory_export_json"),
]
