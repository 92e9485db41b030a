"""Assessments of persons erased before erasure cut the profile are anonymised by the
migration: only the need categories and the support mode stay."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from assessments.models import Assessment
from people.models import Person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("assessments.migrations.0006_erased_persons_profiles_anonymous")
FULL = {
    "needs": [{"category": "Aide aux démarches administratives", "priority": 1}],
    "support_mode": "apprendre",
    "urgent": True,
    "due_date": "2026-12-15",
    "constraints": {"half_days": ["tu-am"], "specific_needs": ["Déficience visuelle"]},
    "summary": "Besoin d'aide pour faire ses démarches. Disponible le mardi matin.",
}


def test_the_migration_leaves_an_erased_persons_profile_anonymous_and_others_untouched():
    erased, kept = PersonFactory(), PersonFactory()
    for person in (erased, kept):
        Assessment.objects.create(person=person, created_by=person.created_by, profile=FULL)
    Person.objects.filter(pk=erased.pk).update(erased_at=timezone.now(), last_name="")

    migration.anonymise_erased_profiles(apps, None)

    assert Assessment.objects.get(person=erased).profile == {
        "needs": FULL["needs"],
        "support_mode": "apprendre",
    }
    assert Assessment.objects.get(person=kept).profile == FULL
