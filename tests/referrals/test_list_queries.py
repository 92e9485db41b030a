"""The lists cost the same number of queries whatever the number of referrals (bench/national.py
measures them at national scale)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import AdvisorFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db


def queries(user, path):
    client = Client()
    client.force_login(user)
    client.get(path)  # the session's first save, then the measured request
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", ["/orientations/", "/api/v1/referrals/"])
def test_the_advisor_inbox_costs_the_same_queries_for_2_and_for_12_referrals(path):
    small, busy = AdvisorFactory(), AdvisorFactory()
    ReferralFactory.create_batch(2, advisor=small)
    ReferralFactory.create_batch(12, advisor=busy)

    assert queries(busy.user, path) == queries(small.user, path)


@pytest.mark.parametrize("path", ["/orientations/", "/api/v1/referrals/"])
def test_the_structure_list_costs_the_same_queries_for_2_and_for_12_referrals(path):
    small, busy = UserFactory(), UserFactory()
    for user, count in ((small, 2), (busy, 12)):
        ReferralFactory.create_batch(
            count, person__created_by=user, person__structure=user.structure
        )

    assert queries(busy, path) == queries(small, path)


def test_a_referral_in_a_colleague_s_shared_inbox_is_in_the_advisor_s_list_not_another_s():
    mine = AdvisorFactory()
    colleague = AdvisorFactory(structure=mine.structure)
    elsewhere = AdvisorFactory()
    shared = ReferralFactory(advisor=colleague, shared=True)
    ReferralFactory(advisor=colleague)  # addressed to the colleague alone
    ReferralFactory(advisor=elsewhere, shared=True)

    client = Client()
    client.force_login(mine.user)
    codes = [row["code"] for row in client.get("/api/v1/referrals/").json()["results"]]

    assert codes == [shared.code]
