"""A JSON body nested 2,000 deep is refused with a 400 in French, on every JSON endpoint,
before login too (the recursion of Python's JSON reader would be a 500 else)."""

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DEEP_LIST = b"[" * 2000 + b"]" * 2000
DEEP_OBJECT = b'{"a":' * 2000 + b"1" + b"}" * 2000


def api_post_paths():
    """Every API address that takes a POST with a body, its parameters filled with 1."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method in ("post", "put", "patch"):
            if method in operations:
                yield method, path.replace("{id}", "1").replace("{pk}", "1")


def assert_refused_in_french(response):
    assert response.status_code == 400, (response.status_code, response.content[:200])
    assert response.json()["code"] == "parse_error"
    assert "illisible" in response.json()["detail"]


@pytest.mark.parametrize("body", [DEEP_LIST, DEEP_OBJECT], ids=["list", "object"])
def test_a_deep_body_is_a_400_before_login(body):
    response = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")
    assert_refused_in_french(response)


@pytest.mark.parametrize("body", [DEEP_LIST, DEEP_OBJECT], ids=["list", "object"])
def test_a_deep_body_is_a_400_on_every_json_endpoint(body):
    client = APIClient()
    client.force_authenticate(UserFactory())
    paths = sorted(set(api_post_paths()))
    assert len(paths) > 10
    for method, path in paths:
        response = getattr(client, method)(path, body, content_type="application/json")
        # Refused before or while reading the body: never a server error.
        assert response.status_code < 500, (method, path, response.status_code)
        if response.status_code == 400:
            assert response.json()["code"] in ("parse_error", "invalid"), (method, path)
    response = client.post("/api/v1/persons/", body, content_type="application/json")
    assert_refused_in_french(response)
