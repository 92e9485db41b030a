import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from people.models import Person
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


ERROR_PAGES_CODE = """
import django
django.setup()
from django.test import Client
client = Client()
page = client.get("/nulle-part/", secure=True, HTTP_HOST="pasip.example.org")
api = client.get("/api/v1/nulle-part/", secure=True, HTTP_HOST="pasip.example.org")
print(page.status_code, "Page ou objet introuvable" in page.content.decode(), api.status_code,
      api.json()["code"])
"""


@pytest.mark.parametrize("module", ["dev", "test", "prod"])
def test_a_missing_page_is_french_under_every_settings_module(module, tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": f"pasip.settings.{module}",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "pasip.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", ERROR_PAGES_CODE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["404", "True", "404", "not_found"], result.stderr[-2000:]


def test_a_page_posted_without_its_csrf_token_is_refused_in_french():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    response = client.post(reverse("person_create"), {"first_name": "Josette"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Ce formulaire a expiré" in html and 'lang="fr"' in html
    assert Person.objects.count() == 0


def test_the_api_refuses_a_session_post_without_csrf_token_in_french():
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    response = client.post("/api/v1/persons/", {"first_name": "Josette"}, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Jeton CSRF absent ou invalide : rechargez la page puis réessayez.",
        "code": "csrf_failed",
    }
