import pytest

from tests.factories import ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_slip_error_is_json_even_when_a_pdf_was_asked_for(client):
    referral = ReferralFactory()
    client.force_login(UserFactory())  # another structure
    response = client.get(f"/api/v1/referrals/{referral.pk}/slip/?format=pdf")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
