"""The advisor's inbox: an urgency column and sort, accept and decline as two distinct
actions from the row, only the advisor's own referrals, nothing written to the access log."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from people.models import PersonAccess
from referrals.models import DeclineReason, ReferralState
from tests.factories import AdvisorFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db


def referral(advisor, *, days_ago, urgent=None, **kwargs):
    made = ReferralFactory(advisor=advisor, **kwargs)
    made.sent_at = timezone.now() - timedelta(days=days_ago)
    if urgent is not None:
        made.assessment = Assessment.objects.create(
            person=made.person, created_by=made.referrer, profile={"urgent": urgent}
        )
    made.save()
    return made


def codes(response):
    return [row[0].code for row in response.context["rows"]]


def test_the_inbox_shows_urgency_and_sorts_urgent_first_then_the_longest_waiting(client):
    advisor = AdvisorFactory()
    recent_urgent = referral(advisor, days_ago=1, urgent=True)
    old_normal = referral(advisor, days_ago=9, urgent=False)
    old_urgent = referral(advisor, days_ago=5, urgent=True)
    no_assessment = referral(advisor, days_ago=3)
    client.force_login(advisor.user)

    default = client.get(reverse("referral_list"))
    assert codes(default) == [
        recent_urgent.code,
        no_assessment.code,
        old_urgent.code,
        old_normal.code,
    ]
    assert '<th scope="col">Urgence</th>' in default.content.decode()

    by_urgency = client.get(reverse("referral_list"), {"tri": "urgence"})
    assert codes(by_urgency) == [
        old_urgent.code,
        recent_urgent.code,
        old_normal.code,
        no_assessment.code,
    ]
    page = by_urgency.content.decode()
    assert page.count('<strong class="urgent">Urgente</strong>') == 2
    assert "Orientations, les urgentes d'abord, puis les plus anciennes" in page


def test_an_advisor_sees_only_their_inbox(client):
    advisor, other = AdvisorFactory(), AdvisorFactory()
    mine = referral(advisor, days_ago=1)
    theirs = referral(other, days_ago=1)
    colleague = AdvisorFactory(structure=advisor.structure)
    colleague_s = referral(colleague, days_ago=1)  # addressed to the colleague alone
    client.force_login(advisor.user)
    assert codes(client.get(reverse("referral_list"))) == [mine.code]
    assert codes(client.get(reverse("referral_list"), {"tri": "urgence"})) == [mine.code]
    assert client.get(reverse("referral_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("referral_detail", args=[colleague_s.pk])).status_code == 404


def test_accept_and_decline_are_two_distinct_forms_and_decline_needs_its_reason(client):
    advisor = AdvisorFactory()
    to_accept = referral(advisor, days_ago=2)
    to_decline = referral(advisor, days_ago=1)
    answered = referral(advisor, days_ago=3, accepted=True)
    client.force_login(advisor.user)

    page = client.get(reverse("referral_list")).content.decode()
    for each in (to_accept, to_decline):
        assert f'action="{reverse("referral_accept", args=[each.pk])}"' in page
        assert f'action="{reverse("referral_decline", args=[each.pk])}"' in page
        assert f'<select name="reason" required id="id_reason_{each.pk}">' in page
    assert reverse("referral_accept", args=[answered.pk]) not in page
    assert not PersonAccess.objects.exists()  # a list is not an opening

    # A decline without its reason is refused, in French, and changes nothing.
    response = client.post(reverse("referral_decline", args=[to_decline.pk]), follow=True)
    assert "Choisissez un motif de refus." in response.content.decode()
    to_decline.refresh_from_db()
    assert to_decline.state == ReferralState.SENT

    client.post(
        reverse("referral_decline", args=[to_decline.pk]), {"reason": DeclineReason.OUT_OF_AREA}
    )
    client.post(reverse("referral_accept", args=[to_accept.pk]))
    to_accept.refresh_from_db()
    to_decline.refresh_from_db()
    assert (to_accept.state, to_decline.state) == (ReferralState.ACCEPTED, ReferralState.DECLINED)
    assert to_decline.decline_reason == DeclineReason.OUT_OF_AREA


def test_the_social_worker_s_list_has_the_urgency_but_no_answer_buttons(client):
    user = UserFactory()
    made = referral(AdvisorFactory(), days_ago=1, urgent=True, person__created_by=user)
    client.force_login(user)
    response = client.get(reverse("referral_list"), {"tri": "urgence"})
    assert codes(response) == [made.code]
    page = response.content.decode()
    assert "Urgente" in page
    assert reverse("referral_accept", args=[made.pk]) not in page
