"""Pages read by their keys first: the same rows in the same order, relations loaded."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pasip.pagination import KeysFirstPaginator
from referrals.models import Referral
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def test_a_page_read_by_its_keys_holds_the_same_rows_in_the_same_order_with_relations():
    for _ in range(8):  # pages of 3, 3 and 2
        ReferralFactory()
    referrals = Referral.objects.select_related("person__commune", "advisor__user").order_by(
        "-sent_at", "-pk"
    )
    for number in (1, 2, 3):
        expected = Paginator(referrals, 3, orphans=1).page(number)
        page = KeysFirstPaginator(referrals, 3, orphans=1).page(number)
        assert list(page.object_list) == list(expected.object_list)
        assert (page.has_next(), page.start_index()) == (
            expected.has_next(),
            expected.start_index(),
        )
    page = KeysFirstPaginator(referrals, 3).page(1)
    with CaptureQueriesContext(connection) as queries:
        names = [(r.person.commune.name, r.advisor.user.last_name) for r in page.object_list]
    assert len(names) == 3 and len(queries) == 0
