"""API fuzzing: schemathesis generates requests from the OpenAPI schema, for every role.

No answer may be a server error or break the schema (status documented, body conforming).
Each generated case is sent as each of four roles. The budget is PASIP_FUZZ_EXAMPLES cases per
operation: 25 by default (about 1,150 cases, 4,600 requests, in CI); the longer run is
`PASIP_FUZZ_EXAMPLES=100 .venv/bin/pytest tests/security/test_api_fuzz.py -s`.
"""

import json
import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import AdvisorFactory, ReferralFactory, UserFactory

EXAMPLES = int(os.environ.get("PASIP_FUZZ_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


pytestmark = pytest.mark.slow


def api_schema():
    """The schema drf-spectacular serves at /api/v1/schema/, with the WSGI app to call."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))
    schema.app = WSGIHandler()
    return schema


@pytest.fixture
def in_test_transaction():
    """Like Django's test client: requests must not close the test's database connection."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def tokens(db, in_test_transaction):
    """An API token per role, each user owning some real objects for the generated ids to hit."""
    referral = ReferralFactory()
    AdvisorFactory()
    users = [
        referral.referrer,
        referral.advisor.user,
        UserFactory(coordinator=True),
        UserFactory(officer=True),
    ]
    return {user.role: Token.objects.create(user=user).key for user in users}


def test_no_server_error_and_no_schema_violation(tokens, capsys):
    calls = cases = 0
    operations = [result.ok() for result in api_schema().get_all_operations()]

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case):
            nonlocal calls, cases
            cases += 1
            for token in tokens.values():
                response = case.call(headers={"Authorization": f"Token {token}"})
                case.validate_response(response, checks=CHECKS)
                calls += 1

        fuzz()
    with capsys.disabled():
        print(
            f"\nAPI fuzzing: {cases} generated cases over {len(operations)} operations,"
            f" {calls} requests (each case as 4 roles)"
        )
    assert cases >= len(operations) and calls == 4 * cases
