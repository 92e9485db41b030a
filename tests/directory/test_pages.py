"""Directory pages: own entry for an advisor, every entry for the coordinator, national import."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from directory.enums import Service, SpecificNeed
from directory.models import Absence, DirectoryImport, Permanence, Place
from directory.tasks import directory_import_apply, directory_import_check
from tests.directory.test_national import csv_file, row
from tests.factories import AdvisorFactory, PlaceFactory, UserFactory, commune

pytestmark = pytest.mark.django_db

ADMIN = Service.ADMIN_PROCEDURES.value
JOBS = Service.EMPLOYMENT.value


def entry_data(**overrides):
    data = {
        "themes": [ADMIN, JOBS],
        "support_formats": ["Accompagnement individuel"],
        "languages": ["fr", "en"],
        "specific_needs": [SpecificNeed.DEAFNESS.value],
        "home_visit_communes": [commune("46128").pk, commune("46240").pk],
        "remote_phone": "on",
        "aidants_connect": "on",
        "capacity": "12",
    }
    data.update(overrides)
    return data


def test_an_advisor_keeps_their_own_entry_and_it_is_stamped(client):
    advisor = AdvisorFactory()
    before = advisor.updated_at
    client.force_login(advisor.user)

    assert client.get(reverse("directory_my_entry")).url == reverse(
        "directory_advisor", args=[advisor.pk]
    )
    page = client.get(reverse("directory_advisor", args=[advisor.pk]))
    assert page.status_code == 200 and "Ma fiche de conseiller" in page.content.decode()
    assert 'name="is_active"' not in page.content.decode()  # only the coordinator
    response = client.post(
        reverse("directory_advisor", args=[advisor.pk]),
        entry_data(places=[advisor.places.get().pk]),
    )

    assert response.status_code == 302
    advisor.refresh_from_db()
    assert advisor.themes == [ADMIN, JOBS] and advisor.languages == ["fr", "en"]
    assert advisor.capacity == 12 and advisor.remote_phone and advisor.aidants_connect
    assert sorted(c.insee for c in advisor.home_visit_communes.all()) == ["46128", "46240"]
    assert advisor.updated_at > before


def test_an_advisor_cannot_open_or_change_another_advisors_entry(client):
    advisor, other = AdvisorFactory(), AdvisorFactory()
    client.force_login(advisor.user)

    assert client.get(reverse("directory_advisor", args=[other.pk])).status_code == 404
    posted = client.post(reverse("directory_advisor", args=[other.pk]), entry_data())
    assert posted.status_code == 404
    absence = Absence.objects.create(advisor=other, start=date(2026, 12, 1), end=date(2026, 12, 2))
    remove = client.post(reverse("directory_absence_remove", args=[absence.pk]))
    assert remove.status_code == 404 and Absence.objects.filter(pk=absence.pk).exists()
    assert client.get(reverse("directory_home")).status_code == 403
    api = APIClient()
    api.force_authenticate(advisor.user)
    assert api.patch(f"/api/v1/advisors/{other.pk}/", {"capacity": 1}).status_code == 403
    assert api.patch(f"/api/v1/advisors/{advisor.pk}/", {"capacity": 3}).status_code == 200
    other.refresh_from_db()
    assert other.capacity == 15


def test_permanences_and_absences_are_added_and_removed_from_the_entry(client):
    advisor = AdvisorFactory()
    place = advisor.places.get()
    client.force_login(advisor.user)

    client.post(
        reverse("directory_permanence_add", args=[advisor.pk]),
        {"place": place.pk, "weekday": 1, "start": "09:00", "end": "12:00"},
    )
    bad = client.post(
        reverse("directory_permanence_add", args=[advisor.pk]),
        {"place": place.pk, "weekday": 1, "start": "12:00", "end": "09:00"},
        follow=True,
    )
    assert "La fin doit suivre le début." in bad.content.decode()
    client.post(
        reverse("directory_absence_add", args=[advisor.pk]),
        {"start": "2026-12-21", "end": "2027-01-02", "note": "Congés"},
    )

    assert list(advisor.permanences.values_list("weekday", flat=True)) == [1]
    assert Absence.objects.get(advisor=advisor).end == date(2027, 1, 2)
    permanence = Permanence.objects.get(advisor=advisor)
    client.post(reverse("directory_permanence_remove", args=[permanence.pk]))
    assert not advisor.permanences.exists()


def test_the_coordinator_manages_every_entry_and_sees_stale_ones(client):
    coordinator = UserFactory(coordinator=True)
    advisor = AdvisorFactory()
    advisor.__class__.objects.filter(pk=advisor.pk).update(updated_at="2025-01-01T10:00:00Z")
    client.force_login(coordinator)

    home = client.get(reverse("directory_home")).content.decode()
    assert str(advisor) in home and "à vérifier" in home
    response = client.post(
        reverse("directory_advisor", args=[advisor.pk]), entry_data(is_active="")
    )
    assert response.status_code == 302
    advisor.refresh_from_db()
    assert not advisor.is_active


def test_places_are_edited_with_checked_opening_hours(client):
    advisor = AdvisorFactory()
    place = advisor.places.get()
    client.force_login(advisor.user)
    data = {
        "name": "Médiathèque de Gramat",
        "address": "Place de la Halle",
        "postal_code": "46500",
        "commune": "Gramat (46500)",
        "specific_support": [SpecificNeed.MOTOR.value],
        "opening_hours": "Mardi matin",
    }

    refused = client.post(reverse("directory_place", args=[place.pk]), data)
    assert "« Mardi matin » n" in refused.content.decode()

    data["opening_hours"] = "Tu 09:00-12:00; Th 14:00-17:00"
    assert client.post(reverse("directory_place", args=[place.pk]), data).status_code == 302
    place.refresh_from_db()
    assert place.commune.insee == "46128" and place.is_accessible
    assert place.latitude == commune("46128").latitude
    other = PlaceFactory()
    assert client.get(reverse("directory_place", args=[other.pk])).status_code == 404


def test_the_coordinator_checks_a_file_then_applies_it_with_progress_shown(
    client, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(coordinator=True))
    upload = SimpleUploadedFile("lieux.csv", csv_file([row(), row(id="lieu-2")]))

    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("directory_imports"), {"file": upload})
    assert len(queued) == 1
    created = DirectoryImport.objects.get()
    page = client.get(response.url)
    assert page["Refresh"] == "2" and "<progress" in page.content.decode()

    directory_import_check(created.pk)  # what the worker runs
    page = client.get(response.url).content.decode()
    assert "2 à créer" in page and "Appliquer le fichier" in page
    assert Place.objects.count() == 0

    with django_capture_on_commit_callbacks() as queued:
        client.post(reverse("directory_import_apply", args=[created.pk]))
    assert len(queued) == 1
    directory_import_apply(created.pk)
    directory_import_apply(created.pk)  # delivered twice: nothing more happens
    created.refresh_from_db()
    assert created.status == DirectoryImport.Status.APPLIED and Place.objects.count() == 2

    export = client.get(reverse("directory_export_csv"))
    assert export["Content-Type"] == "text/csv" and "lieu-2" in export.content.decode()


def test_a_file_with_a_rejected_row_cannot_be_applied(client):
    client.force_login(UserFactory(coordinator=True))
    upload = SimpleUploadedFile("lieux.csv", csv_file([row(), row(id="x", code_insee="99999")]))
    client.post(reverse("directory_imports"), {"file": upload})
    created = DirectoryImport.objects.get()
    directory_import_check(created.pk)

    page = client.get(reverse("directory_import", args=[created.pk])).content.decode()
    assert "commune inconnue du territoire" in page and "Appliquer le fichier" not in page
    refused = client.post(reverse("directory_import_apply", args=[created.pk]), follow=True)
    assert "ne peut pas être appliqué" in refused.content.decode()
    assert Place.objects.count() == 0


def test_only_the_coordinator_imports(client):
    client.force_login(UserFactory(advisor=True))
    assert client.get(reverse("directory_imports")).status_code == 403
    assert client.get(reverse("directory_export_csv")).status_code == 403
