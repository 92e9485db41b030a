"""The factories of every app, importable from one place; each lives in tests/<app>/factories.py."""

from tests.accounts.factories import PASSWORD, UserFactory
from tests.assessments.factories import AssessmentFactory
from tests.directory.factories import AdvisorFactory, PlaceFactory, StructureFactory
from tests.people.factories import PersonFactory
from tests.referrals.factories import ReferralFactory, consented_referral, lifecycle_apply
from tests.territory.factories import commune

__all__ = [
    "PASSWORD",
    "AdvisorFactory",
    "AssessmentFactory",
    "PersonFactory",
    "PlaceFactory",
    "ReferralFactory",
    "StructureFactory",
    "UserFactory",
    "commune",
    "consented_referral",
    "lifecycle_apply",
]
