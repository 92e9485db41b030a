"""Erasure of a person's assessments (`people.erasure`): the answers go, and of the computed
profile only the need categories and the support mode stay, anonymous: its summary, due date,
availability, travel, languages and specific needs were the person's own."""

from people.erasure import date_fields, months_of

from .models import Assessment


def assessments_erase(person):
    fields = date_fields(Assessment)
    for assessment in Assessment.objects.filter(person=person):
        Assessment.objects.filter(pk=assessment.pk).update(
            answers={},
            profile=anonymous_profile(assessment.profile),
            **months_of(assessment, *fields),
        )


def anonymous_profile(profile):
    """What the statistics read of a needs profile, nothing the person could be told from."""
    if not isinstance(profile, dict):
        return None
    return {"needs": profile.get("needs") or [], "support_mode": profile.get("support_mode")}
