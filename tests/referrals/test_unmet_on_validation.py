"""The needs no advisor within reach covers are counted from the validated assessment, whether
or not a referral follows: a person nobody can help is often sent nowhere."""

import pytest

from directory.enums import Service
from directory.models import UnmetNeed
from matching.services import suggestions_for_person
from tests.assessments.answers import validated_assessment
from tests.factories import AdvisorFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_a_validated_assessment_records_its_unmet_needs_with_no_referral_sent():
    person = PersonFactory()  # Gramat
    AdvisorFactory(place_commune="46128", themes=[Service.ADMIN_PROCEDURES])

    assessment = validated_assessment(person)

    ranking = suggestions_for_person(person, assessment.needs_profile)
    assert ranking.unmet_needs  # the persona needs more than the one advisor covers
    rows = UnmetNeed.objects.filter(person=person)
    assert sorted(rows.values_list("category", flat=True)) == sorted(ranking.unmet_needs)
    assert {row.commune_id for row in rows} == {person.commune_id}
    assert not person.referrals.exists()


def test_validating_again_in_the_month_counts_each_need_once():
    person = PersonFactory()
    AdvisorFactory(place_commune="46128", themes=[Service.ADMIN_PROCEDURES])

    validated_assessment(person)
    first = UnmetNeed.objects.count()
    validated_assessment(person)

    assert first > 0 and UnmetNeed.objects.count() == first
