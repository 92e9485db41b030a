import pytest
from django.test import override_settings

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_unknown_api_urls_answer_json_and_unknown_pages_answer_french_html(client):
    client.force_login(UserFactory())
    api = client.get("/api/v1/communes/pas une commune./")
    assert api.status_code == 404
    assert api.json() == {
        "detail": "Page ou objet introuvable, ou hors de votre périmètre.",
        "code": "not_found",
    }
    page = client.get("/nulle-part/")
    assert page.status_code == 404
    assert "Page ou objet introuvable" in page.content.decode()
    assert page["Content-Type"].startswith("text/html")
