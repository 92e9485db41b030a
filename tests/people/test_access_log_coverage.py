"""Every page or API call that shows a person's data writes to the access log."""

import pytest
from django.urls import reverse

from assessments.services import assessment_start
from people.models import PersonAccess
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def test_assessment_slip_and_referral_pages_log_the_view(client):
    referral = ReferralFactory()
    user, person = referral.referrer, referral.person
    assessment = assessment_start(user=user, person=person)
    client.force_login(user)
    paths = [
        reverse("assessment_summary", args=[assessment.pk]),
        f"/api/v1/assessments/{assessment.pk}/",
        reverse("referral_new", args=[person.pk]),
        reverse("referral_slip", args=[referral.pk]),
        reverse("referral_slip_preview", args=[referral.pk]),
        f"/api/v1/referrals/{referral.pk}/slip/",
    ]
    for path in paths:
        assert client.get(path).status_code == 200, path
    logged = set(
        PersonAccess.objects.filter(person=person, user=user).values_list("where", flat=True)
    )
    assert logged >= set(paths)
