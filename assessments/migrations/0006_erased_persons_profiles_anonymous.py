"""Assessments of persons erased before erasure cut the needs profile: their profile keeps only
the need categories and the support mode (the statistics' part), like any erasure now."""

from django.db import migrations

KEPT = ("needs", "support_mode")


def anonymise_erased_profiles(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    erased = Assessment.objects.filter(person__erased_at__isnull=False, profile__isnull=False)
    for pk, profile in erased.values_list("pk", "profile"):
        if not isinstance(profile, dict):
            continue
        kept = {"needs": profile.get("needs") or [], "support_mode": profile.get("support_mode")}
        if profile != kept:
            Assessment.objects.filter(pk=pk).update(profile=kept)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_questionnaire_v3"),
        ("people", "0002_person_age_band_person_erased_at_and_more"),
    ]

    operations = [migrations.RunPython(anonymise_erased_profiles, migrations.RunPython.noop)]
